import { readFile, stat } from 'node:fs/promises';

/** What the cache needs of a file's metadata: enough to tell that its content may have changed. */
export interface CollateralFileStat {
  isFile(): boolean;
  readonly dev: bigint;
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

/** The file system calls of the cache (injected by tests to count reads). */
export interface CollateralFileSystem {
  stat(path: string): Promise<CollateralFileStat>;
  readFile(path: string): Promise<Buffer>;
}

const nodeFileSystem: CollateralFileSystem = {
  stat: (path) => stat(path, { bigint: true }),
  readFile: (path) => readFile(path),
};

interface Entry {
  readonly fingerprint: string;
  readonly value: unknown;
}

/**
 * Parsed collateral files, keyed by what they were parsed as and their path, valid while the
 * file's device, inode, size, modification and change times are those it had when read: one
 * `stat` per file per lookup, a read and parse only for a new or changed file. Replacing a
 * file (write in place or rename over it) changes at least one of them, so fresh collateral an
 * operator drops in is seen by the next lookup without a restart; a file that cannot be
 * stat'ed or read is dropped and the failure passed on, as an uncached read would.
 *
 * Why: the enclave API looked up Intel collateral for every SGX/TDX attestation by reading and
 * parsing every file of `[dcap] collateral_dir` (JSON, CRLs, certificates). The bound keeps a
 * directory full of unrelated files from growing the memory: the least recently used entry
 * goes first.
 */
export class CollateralFileCache {
  readonly #max: number;
  readonly #fs: CollateralFileSystem;
  readonly #entries = new Map<string, Entry>();

  constructor(options: { maxEntries?: number; fs?: CollateralFileSystem } = {}) {
    this.#max = Math.max(1, options.maxEntries ?? 256);
    this.#fs = options.fs ?? nodeFileSystem;
  }

  /** How many files are held. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The result of `parse` on the bytes of the file at `path`, from the cache while the file is
   * unchanged. `kind` separates parses of the same file (the same file may be read as
   * collateral JSON and as a raw PCS response). A `parse` that throws caches nothing.
   * @throws what `stat` or `readFile` throws (the file is gone, unreadable or not a file).
   */
  async read<T>(kind: string, path: string, parse: (bytes: Buffer) => T): Promise<T> {
    const key = `${kind}\0${path}`;
    let fingerprint: string;
    try {
      const info = await this.#fs.stat(path);
      if (!info.isFile()) throw new Error(`${path} is not a file`);
      fingerprint = `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
    } catch (cause) {
      this.#entries.delete(key);
      throw cause;
    }
    const held = this.#entries.get(key);
    this.#entries.delete(key);
    if (held?.fingerprint === fingerprint) {
      this.#entries.set(key, held); // most recently used goes last
      return held.value as T;
    }
    // Stat before read: a change between the two leaves an entry the next stat will not match.
    const value = parse(await this.#fs.readFile(path));
    this.#entries.set(key, { fingerprint, value });
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#max) break;
      this.#entries.delete(oldest);
    }
    return value;
  }
}
