import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { keyHashOfCertificate } from '../crypto/key-hash.js';

/**
 * A CAS the user attested, as stored under `cas_db.<name>` in the CLI state file. Every later
 * connection authenticates the CAS's TLS leaf against `software_key_hash` (not any web PKI).
 */
export interface PinnedCas {
  /** `https://<address>:8081/`. */
  readonly url: string;
  /** The address as given to `scone cas attest` (host or host:port). */
  readonly address: string;
  /** PEM certificates: the CAS software (TLS leaf) certificate first, the CAS certificate last. */
  readonly chain: string;
  /** Key hash of the CAS certificate's key (what `-c` pins). */
  readonly cas_key_hash: string;
  /** Key hash of the CAS software (TLS leaf) key (what `-s` pins). */
  readonly software_key_hash: string;
  /** Relaxation flags given at attest time (e.g. `only_for_testing-debug`); warned about on use. */
  readonly relaxations: readonly string[];
  /** When the CAS was attested (ISO 8601), or '' for an entry written by SCONE's CLI. */
  readonly attested_at: string;
  /** Fields written by other tools (SCONE's `ias_report`, ...), kept as they are. */
  readonly [unknownKey: string]: unknown;
}

/** The two certificates of a pinned chain. */
export interface CasChain {
  /** The CAS software certificate (the TLS leaf). */
  readonly software: X509Certificate;
  /** The CAS certificate, which certifies the software key. */
  readonly cas: X509Certificate;
}

const CERT_PEM = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Splits a stored chain into the software (first) and CAS (last) certificates and checks that
 * the CAS certificate signed the software certificate.
 *
 * @throws Error (not coded: callers wrap it) when the chain is malformed.
 */
export function splitChain(chain: string): CasChain {
  const pems = chain.match(CERT_PEM) ?? [];
  if (pems.length < 2) {
    throw new Error(
      `the chain must hold the software and the CAS certificate, found ${pems.length}`,
    );
  }
  const software = new X509Certificate(pems[0]!);
  const cas = new X509Certificate(pems[pems.length - 1]!);
  if (!software.verify(cas.publicKey)) {
    throw new Error('the software certificate is not signed by the CAS certificate');
  }
  return { software, cas };
}

/** Derives `address` from a URL such as `https://cas.example:8081/`. */
function addressOf(url: string): string {
  const parsed = new URL(url);
  return parsed.port === '' || parsed.port === '8081' ? parsed.hostname : parsed.host;
}

/**
 * Schema of one `cas_db` entry. An entry written by SCONE's CLI (only `url` and `chain`) gets the
 * other fields derived from its chain; stored key hashes must agree with the chain, so that an
 * edited file cannot pin a key the chain does not hold.
 */
export function pinnedCasSchema(name: string): z.ZodType<PinnedCas> {
  return z
    .looseObject({
      url: z.url({ protocol: /^https$/ }),
      address: z.string().min(1).optional(),
      chain: z.string().min(1),
      cas_key_hash: z.string().optional(),
      software_key_hash: z.string().optional(),
      relaxations: z.array(z.string()).optional(),
      attested_at: z.string().optional(),
    })
    .transform((entry, ctx): PinnedCas => {
      let hashes: { cas: string; software: string };
      try {
        const { software, cas } = splitChain(entry.chain);
        hashes = { cas: keyHashOfCertificate(cas), software: keyHashOfCertificate(software) };
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `chain: ${(error as Error).message}` });
        return z.NEVER;
      }
      for (const [field, derived] of [
        ['cas_key_hash', hashes.cas],
        ['software_key_hash', hashes.software],
      ] as const) {
        const stored = entry[field];
        if (stored !== undefined && stored !== derived) {
          ctx.addIssue({
            code: 'custom',
            message: `${field} does not match the stored chain of CAS "${name}"`,
          });
          return z.NEVER;
        }
      }
      return {
        ...entry,
        address: entry.address ?? addressOf(entry.url),
        cas_key_hash: hashes.cas,
        software_key_hash: hashes.software,
        relaxations: entry.relaxations ?? [],
        attested_at: entry.attested_at ?? '',
      };
    });
}

/** The certificates of a pinned CAS as PEM: software (TLS leaf), CAS, and the whole chain. */
export function pinnedCasCertificates(cas: PinnedCas): {
  readonly software: string;
  readonly cas: string;
  readonly chain: string;
} {
  const split = splitChain(cas.chain);
  return {
    software: split.software.toString(),
    cas: split.cas.toString(),
    chain: `${split.software.toString().trimEnd()}\n${split.cas.toString().trimEnd()}\n`,
  };
}
