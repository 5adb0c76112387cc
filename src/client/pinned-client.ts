import { createCasClient, type CasClient, type ClientIdentity } from './cas-client.js';

/** The fields of a pinned CAS (`cas_db` entry of the CLI state) a connection needs. */
export interface PinnedCasEntry {
  readonly address: string;
  readonly chain: string;
  readonly software_key_hash: string;
}

/**
 * A client of a pinned CAS: the chain's last certificate (the CAS certificate) is the only
 * trust root and the leaf must carry the pinned software key. (The CLI context warns about
 * stored relaxations when it looks the CAS up.)
 */
export function pinnedCasClient(entry: PinnedCasEntry, identity: ClientIdentity): CasClient {
  const pems =
    entry.chain.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return createCasClient({
    address: entry.address,
    identity,
    pin: { casCertPem: pems[pems.length - 1] ?? '', softwareKeyHash: entry.software_key_hash },
  });
}
