import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmdirSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative } from 'node:path';
import { CasError } from '../errors/cas-error.js';
import { asWriteError, injectionPath, pathExists, writeNewFile } from './file-write.js';
import type { InjectionFile } from './injection-files.js';

/** The injection files mounted for one run inside a private mount namespace. */
export interface MountedFiles {
  readonly paths: readonly string[];
  /** Synchronous, idempotent: unmounts and removes the host mount points cas-run made. */
  cleanup(): void;
}

function run(cmd: string, args: readonly string[]): void {
  // Only paths and options go on these command lines, never file content.
  execFileSync(cmd, [...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Mounts the injection files at their paths. MUST run inside a private mount namespace
 * (`unshare --mount --propagation private`): every mount here dies with the namespace.
 *
 * All content goes to one fresh tmpfs (mode 0700, sized to the files plus 1 MiB), mounted on a
 * staging directory. A file whose directory is missing gets the topmost missing directory as
 * an empty 0700 mount point on the host, with a directory of the tmpfs bind-mounted over it;
 * a file in an existing directory (say `/etc/app.conf`) gets an empty 0600 placeholder on the
 * host (created exclusively: an existing file is refused), with its tmpfs file bind-mounted
 * over it. No existing directory is hidden. The staging mount is then unmounted and removed:
 * the bind mounts keep the tmpfs alive until the namespace's last process ends.
 *
 * What the host sees while the program runs: the empty mount points and placeholders, never
 * content. `cleanup` unmounts them and removes them.
 *
 * @throws CAS_LAUNCHER_FILE_EXISTS, CAS_LAUNCHER_FILE_WRITE, CAS_LAUNCHER_NAMESPACE_FAILED
 * (after undoing what it did).
 */
export function mountInjectionFiles(
  files: readonly InjectionFile[],
  stagingParent: string = tmpdir(),
): MountedFiles {
  const roots = new Map<string, string>(); // host directory → staging directory
  const singles: Array<{ path: string; staged: string }> = [];
  const mounted: string[] = [];
  const hostMade: Array<{ path: string; dir: boolean }> = [];
  let staging: string | undefined;
  let stagingMounted = false;
  let cleaned = false;
  const cleanup = (): void => {
    if (cleaned) return;
    cleaned = true;
    for (const target of [...mounted].reverse()) {
      try {
        run('umount', ['-l', target]);
      } catch {
        // already unmounted
      }
    }
    for (const made of [...hostMade].reverse()) {
      try {
        if (made.dir) rmdirSync(made.path);
        else unlinkSync(made.path);
      } catch {
        // a host process put something there: not ours to delete
      }
    }
    if (staging !== undefined) {
      try {
        if (stagingMounted) run('umount', ['-l', staging]);
        rmdirSync(staging);
      } catch {
        // already gone
      }
    }
  };
  try {
    const total = files.reduce((n, f) => n + f.content.length + 4096, 0);
    staging = mkdtempSync(join(stagingParent, 'cas-run-ns-'));
    const size = Math.ceil((total + (1 << 20)) / 4096) * 4096;
    mountStep(() =>
      run('mount', ['-t', 'tmpfs', '-o', `mode=0700,size=${size},nosuid,nodev`, 'tmpfs', staging!]),
    );
    stagingMounted = true;
    files.forEach((file, index) => {
      const path = injectionPath(file.path);
      let top: string | undefined;
      for (let dir = dirname(path); !pathExists(dir); dir = dirname(dir)) top = dir;
      const root = [...roots.keys()].find((r) => path.startsWith(`${r}/`)) ?? top;
      if (root === undefined) {
        const staged = join(staging!, `f${index}`);
        writeNewFile(staged, file.content, file.mode);
        singles.push({ path, staged });
        return;
      }
      if (!roots.has(root)) {
        roots.set(root, join(staging!, `d${roots.size}`));
        mkdirSync(roots.get(root)!, { mode: 0o700 });
      }
      const staged = join(roots.get(root)!, relative(root, path));
      mkdirSync(dirname(staged), { recursive: true, mode: 0o700 });
      writeNewFile(staged, file.content, file.mode);
    });
    for (const [root, staged] of roots) {
      mkdirSync(root, { mode: 0o700 });
      hostMade.push({ path: root, dir: true });
      mountStep(() => run('mount', ['--bind', staged, root]));
      mounted.push(root);
    }
    for (const { path, staged } of singles) {
      writeNewFile(path, new Uint8Array(0), 0o600);
      hostMade.push({ path, dir: false });
      mountStep(() => run('mount', ['--bind', staged, path]));
      mounted.push(path);
    }
    mountStep(() => run('umount', [staging!]));
    stagingMounted = false;
    rmdirSync(staging);
    staging = undefined;
  } catch (error) {
    cleanup();
    throw asWriteError(error);
  }
  return { paths: files.map((f) => normalize(f.path)), cleanup };
}

function mountStep(step: () => void): void {
  try {
    step();
  } catch (cause) {
    const stderr = (cause as { stderr?: Buffer }).stderr?.toString('utf8').trim();
    throw new CasError(
      'CAS_LAUNCHER_NAMESPACE_FAILED',
      `cannot mount the injection files in the private mount namespace: ${stderr || (cause as Error).message}`,
      { cause },
    );
  }
}
