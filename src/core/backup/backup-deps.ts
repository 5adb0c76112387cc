import type { KeyObject } from 'node:crypto';
import type { TrustedCases } from './trusted-cas.js';

/** What backup registration needs beyond the runtime (wired by `bin/cas.ts`). */
export interface BackupDeps {
  /** This instance's backup key (ECDH, P-256): what a primary wraps the database key to. */
  readonly backupKey: KeyObject;
  /** Primaries whose key-store entries this instance accepts. */
  readonly trusted: TrustedCases;
  /** Adds a key-store entry wrapping the database key to a verified backup (signed by us). */
  addToKeyStore(recipient: {
    readonly publicKey: KeyObject;
    readonly keyHash: string;
  }): Promise<void>;
  /** Calls another CAS's client API (`callPeer`). */
  callPeer(address: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown>;
  /** Takes a snapshot into `[snapshots] dir` and returns its folder; absent: not configured. */
  snapshot?(): Promise<string>;
}
