import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed package: its folder and its version. */
export interface CasPackage {
  /** The folder of the installed package (the nearest package.json above this file). */
  readonly root: string;
  /** `version` of that package.json. */
  readonly version: string;
}

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

// Walking up from this file finds the same package.json from `src/bin/cas/` (tsx) and from
// `dist/src/bin/cas/` (built): no folder in between holds one.
const root = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** The package this `cas` runs from, read once at start. */
export const casPackage: CasPackage = {
  root,
  version: (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string })
    .version,
};
