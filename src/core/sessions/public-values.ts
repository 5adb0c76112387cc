import { CasError } from '../../errors/cas-error.js';
import type { SecretData } from '../../secrets/secret-value.js';
import type { CasRuntime } from '../cas-runtime.js';
import { decodeSecrets } from './load-for-provisioning.js';
import { readActive, readSecrets } from './session-records.js';

/** One public value as `GET /v1/values` returns it. */
export interface PublicValue {
  readonly value: unknown;
  /** For certificates: the issuer chain (PEM), leaf excluded. */
  readonly chain?: readonly string[];
}

/** The public part of a value; never private key material (an x509's key stays inside). */
function publicPart(data: SecretData): PublicValue | undefined {
  switch (data.kind) {
    case 'ascii':
      return { value: data.text };
    case 'binary':
      return { value: data.hex };
    case 'public-key':
      return { value: data.spki_pem };
    case 'x509':
    case 'x509-ca':
      return { value: data.certificate_pem, chain: data.chain_pem };
    case 'config-fragment':
      return { value: data.data };
    case 'private-key':
      return undefined;
  }
}

/**
 * Parses the SCONE path form `session=<name>[,secret=<secret>]`.
 *
 * @throws CAS_SERVER_BAD_REQUEST.
 */
export function parseValuesPath(path: string): { session: string; secret?: string } {
  const m = /^session=([^,]+)(?:,secret=([^,]+))?$/.exec(path);
  if (m === null) {
    throw new CasError(
      'CAS_SERVER_BAD_REQUEST',
      'expected /v1/values/session=<name>[,secret=<name>]',
    );
  }
  return m[2] === undefined ? { session: m[1]! } : { session: m[1]!, secret: m[2] };
}

/**
 * `GET /v1/values/session=<name>[,secret=<s>]`: the `export_public` secrets of a session, to
 * anyone (SCONE's public values; no client certificate). Private keys are never public.
 *
 * @throws CAS_SESSION_NOT_FOUND when the session or the public secret does not exist.
 */
export async function publicValues(
  rt: CasRuntime,
  path: string,
): Promise<{ values: Record<string, PublicValue> } | PublicValue> {
  rt.require('sessions');
  const wanted = parseValuesPath(path);
  const found = await rt.store().transaction(async (tx) => {
    const active = await readActive(tx, wanted.session);
    if (active === undefined) return undefined;
    const names = active.version.session.secrets
      .filter((s) => s.export_public === true)
      .map((s) => s.name);
    if (names.length === 0) return undefined;
    return { names, values: decodeSecrets(await readSecrets(tx, wanted.session)) };
  });
  const values: Record<string, PublicValue> = {};
  for (const name of found?.names ?? []) {
    const data = found?.values.get(name)?.reveal();
    const part = data === undefined ? undefined : publicPart(data);
    if (part !== undefined) values[name] = part;
  }
  if (wanted.secret !== undefined) {
    const one = Object.hasOwn(values, wanted.secret) ? values[wanted.secret] : undefined;
    if (one !== undefined) return one;
  } else if (Object.keys(values).length > 0) {
    return { values };
  }
  throw new CasError('CAS_SESSION_NOT_FOUND', `no public values for ${path}`, {
    details: { name: wanted.session },
  });
}
