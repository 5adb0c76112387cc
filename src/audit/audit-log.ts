import { createHmac } from 'node:crypto';
import type { OwnerConfig } from '../config/owner-config.js';
import type { CasKeys } from '../crypto/cas-keys.js';
import { CasError, isCasError } from '../errors/cas-error.js';
import type { CasLogger, StoreProvider } from '../core/ports.js';
import { auditCheckpointKey, metaKey } from '../store/keys.js';
import type { Store, StoreTx } from '../store/store.js';
import { appendDurably, tailOf } from './audit-file.js';
import { createAuditKey, type AuditKey } from './audit-key.js';
import { GENESIS, hashLine, parseLine, serializeLine, type AuditEventName } from './audit-line.js';
import { signCheckpoint, type SignedCheckpoint } from './checkpoint.js';
import { uncommittedEvents, type WrittenEvent } from './uncommitted-events.js';

/** `[audit_log] mode` of the owner config. */
export type AuditMode = 'disabled' | 'unsigned' | 'signed';

/**
 * What a use case reports (core's `AuditEvent` and the enclave API's events fit in it).
 * `address` and `subject` are raw and are HMACed before they are written; nothing here may be
 * a secret value.
 */
export interface AuditInput {
  readonly event: Exclude<
    AuditEventName,
    'aborted' | 'cas_started' | 'audit_log_enabled' | 'audit_log_disabled'
  >;
  readonly session?: string;
  readonly hash?: string;
  readonly service?: string;
  readonly measurement?: string;
  readonly caller?: string;
  readonly reason?: string;
  readonly backup?: string;
  /** A client address (HMACed). */
  readonly address?: string;
  /** A certificate subject name (HMACed). */
  readonly subject?: string;
}

/** Construction options of {@link AuditLog}. */
export interface AuditLogOptions {
  readonly path: string;
  /** The CAS keys (a getter: the TLS leaf may be re-issued). */
  readonly keys: () => CasKeys;
  readonly now: () => Date;
  readonly randomBytes: (n: number) => Buffer;
  readonly logger: CasLogger;
  readonly version: string;
  /**
   * One chain for the deployment (PostgreSQL replicas): seq and `prev` of each line are taken
   * from the database checkpoint inside the operation's own serialisable transaction, so the
   * lines of all replicas' files form one chain ordered by seq. An `aborted` line's `prev` is
   * then the hash of the line it cancels (in the same file).
   */
  readonly sharedChain?: boolean;
}

interface Head {
  readonly seq: number;
  readonly hash: string;
}

/** A line written inside a transaction that may still fail. */

const HMAC_KEY = metaKey('audit-hmac-key');
const encoder = new TextEncoder();

/**
 * The tamper-evident audit log of `interfaces.md` §8: JSON lines chained by `prev`, signed by
 * a per-process audit key in `signed` mode, each written and flushed inside the transaction
 * of the operation it records, which also stores the checkpoint (seq and hash of the line).
 * A transaction that fails after its line was written gets an `aborted` line with its seq.
 */
export class AuditLog {
  readonly #o: AuditLogOptions;
  #mode: AuditMode = 'disabled';
  #store: Store | undefined;
  #head: Head | undefined;
  #key: AuditKey | undefined;
  #hmacKey: Buffer | undefined;
  /** This process wrote its `cas_started` line. */
  #started = false;
  /** Lines may be written: enabled, and the start line of the current mode is written. */
  #open = false;
  readonly #pending = new WeakMap<StoreTx, WrittenEvent[]>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: AuditLogOptions) {
    this.#o = options;
  }

  /** The current mode (from the owner config). */
  get mode(): AuditMode {
    return this.#mode;
  }

  /** Wraps a store provider so that every store it returns reports failed transactions here. */
  wrapProvider(provider: StoreProvider): StoreProvider {
    return {
      exists: () => provider.exists(),
      open: async () => this.wrapStore(await provider.open()),
      create: async (key) => this.wrapStore(await provider.create(key)),
    };
  }

  /**
   * A store whose transactions this log follows: when one fails after its event was written,
   * an `aborted` line with the same seq follows (also for each retried attempt).
   */
  wrapStore(store: Store): Store {
    return {
      transaction: async (fn) => {
        const written: WrittenEvent[] = [];
        try {
          return await store.transaction(async (tx) => {
            await this.#abort(written, 'CAS_STORE_CONFLICT');
            const own: StoreTx = {
              get: (k) => tx.get(k),
              put: (k, v) => tx.put(k, v),
              delete: (k) => tx.delete(k),
              list: (p, o) => tx.list(p, o),
              compareAndSet: (k, e, n) => tx.compareAndSet(k, e, n),
            };
            this.#pending.set(own, written);
            return fn(own);
          });
        } catch (error) {
          await this.#abort(written, isCasError(error) ? error.code : 'CAS_INTERNAL');
          throw error;
        }
      },
      close: () => store.close(),
    };
  }

  /**
   * Applies the owner config's mode: the first enabled line of a process is `cas_started`
   * (with the audit key certificate in `signed` mode), a later change `audit_log_enabled`
   * or `audit_log_disabled`. Called when the database opens and after each config update.
   *
   * @throws CAS_AUDIT_WRITE_FAILED
   */
  async open(store: Store, config: OwnerConfig): Promise<void> {
    this.#store = store;
    const mode: AuditMode = config.audit_log?.mode ?? 'disabled';
    this.#hmacKey ??= await this.#loadHmacKey(store);
    this.#key ??= await createAuditKey(this.#o.keys(), this.#o.now());
    if (mode === this.#mode && (this.#open || mode === 'disabled')) return;
    if (mode === 'disabled') {
      if (this.#open) await this.#lifecycleLine('audit_log_disabled', {});
      this.#mode = 'disabled';
      this.#open = false;
      return;
    }
    const wasSigned = this.#open && this.#mode === 'signed';
    // Enabled from here on: until the start line is written, every event fails (fail closed).
    this.#mode = mode;
    let dangling: WrittenEvent[] = [];
    if (this.#head === undefined) ({ head: this.#head, dangling } = await this.#recover(store));
    const keys = this.#o.keys();
    await this.#lifecycleLine(
      this.#started ? 'audit_log_enabled' : 'cas_started',
      {
        mode,
        cas_key_hash: keys.casKeyHash,
        version: this.#o.version,
        // Tells the verifier to expect the other replicas' files (verifyAuditLogs).
        ...(this.#o.sharedChain === true ? { chain: 'shared' } : {}),
        ...(mode === 'signed' ? { certificate: this.#key.certificate } : {}),
      },
      wasSigned,
    );
    this.#started = true;
    this.#open = true;
    // After the start line, so that it is signed by a key the log has already certified.
    if (dangling.length > 0) await this.#abort(dangling, 'CAS_AUDIT_NOT_COMMITTED');
  }

  /**
   * Records an event: in `tx` when given (the operation's own transaction, which then also
   * stores the checkpoint), else in a transaction of its own. Nothing when disabled.
   *
   * @throws CAS_AUDIT_WRITE_FAILED: the caller must fail the operation.
   */
  async record(input: AuditInput, tx?: StoreTx): Promise<void> {
    if (this.#mode === 'disabled') return;
    if (tx === undefined) {
      const store = this.#store;
      if (store === undefined) return;
      await store.transaction((own) => this.record(input, own));
      return;
    }
    await this.#append(this.#fields(input), tx);
  }

  /** The committed checkpoint, signed now by the audit key; undefined before any event. */
  async checkpoint(): Promise<SignedCheckpoint | undefined> {
    const store = this.#store;
    const key = this.#key;
    if (store === undefined || key === undefined) return undefined;
    const head = await store.transaction((tx) => readCheckpoint(tx));
    if (head === undefined) return undefined;
    return signCheckpoint(head, { key, mode: this.#mode, now: this.#o.now() });
  }

  #fields(input: AuditInput): Record<string, unknown> {
    const { address, subject, ...rest } = input;
    return {
      ...rest,
      ...(address === undefined ? {} : { address_hmac: this.#hmac('address', address) }),
      ...(subject === undefined ? {} : { subject_hmac: this.#hmac('subject', subject) }),
    };
  }

  #hmac(kind: string, value: string): string {
    if (this.#hmacKey === undefined) throw new Error('audit log used before open()');
    return createHmac('sha256', this.#hmacKey).update(`${kind}\0${value}`).digest('hex');
  }

  async #lifecycleLine(
    event: 'cas_started' | 'audit_log_enabled' | 'audit_log_disabled',
    fields: Record<string, unknown>,
    signWithOldKey = false,
  ): Promise<void> {
    const store = this.#store;
    if (store === undefined) return;
    await store.transaction((tx) => this.#append({ event, ...fields }, tx, signWithOldKey));
  }

  /** Writes one line (serialised with other writers) and, with `tx`, the checkpoint. */
  #append(
    fields: Record<string, unknown>,
    tx: StoreTx | undefined,
    forceSign = false,
    aborts?: { readonly seq: number; readonly hash: string },
  ): Promise<void> {
    const run = async (): Promise<void> => {
      const own = this.#head;
      if (own === undefined || (!this.#open && !isStart(fields))) {
        throw new CasError(
          'CAS_AUDIT_WRITE_FAILED',
          `the audit log ${this.#o.path} could not be opened, so nothing can be recorded; the operation was not done`,
        );
      }
      // Shared chain: the deployment's head, read in this transaction (a concurrent writer on
      // another replica makes one of the two transactions fail and re-run).
      const shared = this.#o.sharedChain === true && tx !== undefined;
      const head = shared ? ((await readCheckpoint(tx)) ?? { seq: 0, hash: GENESIS }) : own;
      const seqOverride = aborts?.seq;
      const seq = seqOverride ?? head.seq + 1;
      const prev = aborts !== undefined && this.#o.sharedChain === true ? aborts.hash : head.hash;
      const { event, ...rest } = fields as { event: AuditEventName };
      const signer = this.#mode === 'signed' || forceSign ? this.#key?.privateKey : undefined;
      const line = serializeLine(
        { seq, time: this.#o.now().toISOString(), event, ...rest, prev },
        signer,
      );
      try {
        await appendDurably(this.#o.path, line);
      } catch (error) {
        this.#o.logger.error({ path: this.#o.path }, 'audit log write failed: operation refused');
        throw error;
      }
      // An aborted line repeats an earlier seq: the counter stays where it is.
      const hash = hashLine(line);
      const next = { seq: seqOverride === undefined ? seq : head.seq, hash };
      this.#head = next;
      if (tx !== undefined) {
        await tx.put(auditCheckpointKey(), encoder.encode(JSON.stringify(next)));
        this.#pending.get(tx)?.push({ seq, event, hash });
      }
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Writes an `aborted` line for each event of a transaction that did not commit. */
  async #abort(written: WrittenEvent[], reason: string): Promise<void> {
    for (const { seq, event, hash } of written.splice(0)) {
      try {
        await this.#append({ event: 'aborted', aborted_event: event, reason }, undefined, false, {
          seq,
          hash,
        });
      } catch {
        this.#o.logger.error({ seq }, 'audit log: cannot write the aborted line');
      }
    }
  }

  /**
   * Finds where to continue the chain: the file's tail, or the database checkpoint when the
   * file lost lines (continuing after it, so the verifier reports the gap). A last event
   * newer than the checkpoint never committed (the CAS stopped): it is returned as dangling.
   */
  async #recover(store: Store): Promise<{ head: Head; dangling: WrittenEvent[] }> {
    const checkpoint = await store.transaction((tx) => readCheckpoint(tx));
    // Shared chain: every line takes its place from the database; the own file's tail says
    // nothing about the deployment's head, and a line cut off by a crash stays a fork the
    // verifier reports.
    if (this.#o.sharedChain === true) {
      return { head: checkpoint ?? { seq: 0, hash: GENESIS }, dangling: [] };
    }
    const tail = await tailOf(this.#o.path, (l) => parseLine(l)?.event === 'aborted');
    const last = tail === undefined ? null : parseLine(tail.last);
    const lastEvent = tail?.lastEvent === undefined ? null : parseLine(tail.lastEvent);
    if (tail === undefined || last === null || lastEvent === null) {
      if (checkpoint !== undefined || tail !== undefined) {
        this.#o.logger.error(
          { path: this.#o.path, checkpoint_seq: checkpoint?.seq },
          'audit log: the file is missing or damaged at its end; continuing after the checkpoint (verify-audit-log will report it)',
        );
      }
      return { head: checkpoint ?? { seq: 0, hash: GENESIS }, dangling: [] };
    }
    if (checkpoint !== undefined && lastEvent.seq < checkpoint.seq) {
      this.#o.logger.error(
        { path: this.#o.path, file_seq: lastEvent.seq, checkpoint_seq: checkpoint.seq },
        'audit log: the file ends before the checkpoint (truncated or replaced); continuing after the checkpoint',
      );
      return { head: checkpoint, dangling: [] };
    }
    const head = { seq: lastEvent.seq, hash: hashLine(tail.last) };
    return { head, dangling: uncommittedEvents(tail.lines, checkpoint) };
  }

  async #loadHmacKey(store: Store): Promise<Buffer> {
    return store.transaction(async (tx) => {
      const existing = await tx.get(HMAC_KEY);
      if (existing !== undefined) return Buffer.from(existing);
      const key = this.#o.randomBytes(32);
      await tx.put(HMAC_KEY, key);
      return key;
    });
  }
}

/** The checkpoint stored in the database (seq and hash of the last committed line). */
export async function readCheckpoint(tx: StoreTx): Promise<Head | undefined> {
  const bytes = await tx.get(auditCheckpointKey());
  if (bytes === undefined) return undefined;
  return JSON.parse(new TextDecoder().decode(bytes)) as Head;
}

function isStart(fields: Record<string, unknown>): boolean {
  return fields['event'] === 'cas_started' || fields['event'] === 'audit_log_enabled';
}
