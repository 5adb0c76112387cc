import type { Session } from '../../../policy/types.js';
import type { StoredSecrets } from '../session-records.js';

/**
 * Messages between the CAS and its session workers. Everything crosses in plain data: sessions
 * as parsed, secret values in their stored form (strings only), times as milliseconds.
 */
export type SessionWorkerRequest =
  | { readonly id: number; readonly op: 'parse'; readonly text: string }
  | {
      readonly id: number;
      readonly op: 'generate';
      readonly session: Session;
      readonly now: number;
      readonly imported?: StoredSecrets;
    }
  | {
      readonly id: number;
      readonly op: 'migrate';
      readonly previous: Session;
      readonly values: StoredSecrets;
      readonly next: Session;
      readonly now: number;
      readonly imported?: StoredSecrets;
    };

/** A refusal as it crosses back: a CasError's code, message and details; anything else is a bug. */
export interface SessionWorkerFailure {
  readonly code: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export type SessionWorkerReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: SessionWorkerFailure };
