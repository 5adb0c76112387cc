import assert from 'node:assert/strict';
import {
  copyFileSync,
  readFileSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dcapCollateralKey } from '../../../src/attestation/intel/collateral-key.js';
import { CollateralFileCache } from '../../../src/collateral/collateral-file-cache.js';
import {
  directoryDcapCollateralSource,
  loadDcapCollateral,
} from '../../../src/collateral/dcap-collateral-source.js';
import { requireShared } from '../../helpers/shared.js';
import { countingFs, failure, newerEvaluation } from './collateral-test-io.js';
import { RAW_PCS_FILES } from './raw-pcs-files.js';
import { tempDir } from '../../helpers/temp-dir.js';

/** Moves a file's modification time, keeping its size and content. */
function touch(path: string, secondsLater: number): void {
  const { atime, mtime } = statSync(path);
  utimesSync(path, atime, new Date(mtime.getTime() + secondsLater * 1000));
}

test('an unchanged file is parsed once; a changed one (size or mtime) again', async (t) => {
  const dir = tempDir(t, 'cas-file-cache-');
  const file = join(dir, 'a.json');
  writeFileSync(file, 'one');
  const fs = countingFs();
  const cache = new CollateralFileCache({ fs });
  let parses = 0;
  const parse = (bytes: Buffer) => `${++parses}:${bytes.toString()}`;
  assert.equal(await cache.read('k', file, parse), '1:one');
  assert.equal(await cache.read('k', file, parse), '1:one');
  assert.equal(fs.reads.length, 1);
  writeFileSync(file, 'three'); // new size
  assert.equal(await cache.read('k', file, parse), '2:three');
  writeFileSync(file, 'THREE'); // same size: the time tells
  touch(file, 10);
  assert.equal(await cache.read('k', file, parse), '3:THREE');
  assert.equal(await cache.read('k', file, parse), '3:THREE');
  // another kind of parse of the same file is its own entry
  assert.equal(await cache.read('other', file, parse), '4:THREE');
  assert.equal(fs.reads.length, 4);
});

test('a deleted file fails as reading it would, and leaves the cache', async (t) => {
  const dir = tempDir(t, 'cas-file-cache-');
  const file = join(dir, 'a.json');
  writeFileSync(file, 'x');
  const cache = new CollateralFileCache();
  await cache.read('k', file, String);
  unlinkSync(file);
  await assert.rejects(cache.read('k', file, String), { code: 'ENOENT' });
  assert.equal(cache.size, 0);
  await assert.rejects(cache.read('k', dir, String), /is not a file/);
});

test('a parse that throws keeps nothing', async (t) => {
  const dir = tempDir(t, 'cas-file-cache-');
  const file = join(dir, 'a.json');
  writeFileSync(file, 'x');
  const fs = countingFs();
  const cache = new CollateralFileCache({ fs });
  const boom = () => {
    throw new Error('bad');
  };
  await assert.rejects(cache.read('k', file, boom), /bad/);
  assert.equal(cache.size, 0);
  assert.equal(await cache.read('k', file, String), 'x');
  assert.equal(fs.reads.length, 2);
});

test('the bound holds: the least recently used file goes first', async (t) => {
  const dir = tempDir(t, 'cas-file-cache-');
  const [a, b, c] = ['a', 'b', 'c'].map((n) => join(dir, n)) as [string, string, string];
  for (const path of [a, b, c]) writeFileSync(path, path);
  const fs = countingFs();
  const cache = new CollateralFileCache({ fs, maxEntries: 2 });
  await cache.read('k', a, String);
  await cache.read('k', b, String);
  await cache.read('k', a, String); // a is now the most recent
  await cache.read('k', c, String); // evicts b
  assert.equal(cache.size, 2);
  assert.deepEqual(fs.reads, [a, b, c]);
  await cache.read('k', a, String);
  await cache.read('k', b, String);
  assert.deepEqual(fs.reads, [a, b, c, b]);
  assert.equal(cache.size, 2);
});

test('a collateral directory is parsed once per file version', async (t) => {
  const root = requireShared(t, 'testvectors', 'sgx');
  if (root === null) return;
  const dir = tempDir(t, 'cas-collateral-cache-');
  const file = join(dir, 'sgx.json');
  copyFileSync(join(root, 'dcapqvl_sgx_quote_collateral.json'), file);
  copyFileSync(join(root, 'automata_quotev3_collateral.json'), join(dir, 'other.json'));
  writeFileSync(join(dir, 'notes.txt'), 'not collateral');
  const quote = new Uint8Array(readFileSync(join(root, 'dcapqvl_sgx_quote.bin')));
  const fs = countingFs();
  const cache = new CollateralFileCache({ fs });
  const first = await loadDcapCollateral(dir, quote, cache);
  const reads = fs.reads.length;
  assert.equal(reads, 2, 'the two JSON files');
  assert.deepEqual(await loadDcapCollateral(dir, quote, cache), first);
  assert.equal(fs.reads.length, reads, 'the second lookup reads nothing');
  // fresh collateral dropped in place is served by the next lookup
  writeFileSync(file, newerEvaluation(readFileSync(file, 'utf8')));
  const fresh = await loadDcapCollateral(dir, quote, cache);
  assert.match(Buffer.from(fresh.tcbInfo).toString(), /"tcbEvaluationDataNumber":19/);
  assert.deepEqual(fs.reads.slice(reads), [file]);
  // deleted: the same error as without a cache
  unlinkSync(file);
  const cached = await failure(() => loadDcapCollateral(dir, quote, cache));
  assert.equal(cached.code, 'CAS_ATTESTATION_COLLATERAL_MISSING');
  assert.deepEqual(cached, await failure(() => loadDcapCollateral(dir, quote)));
});

test('a collateral file named directly is parsed once per version, its failures kept', async (t) => {
  const root = requireShared(t, 'testvectors', 'sgx');
  if (root === null) return;
  const dir = tempDir(t, 'cas-collateral-cache-');
  const file = join(dir, 'sgx.json');
  copyFileSync(join(root, 'dcapqvl_sgx_quote_collateral.json'), file);
  const quote = new Uint8Array(readFileSync(join(root, 'dcapqvl_sgx_quote.bin')));
  const fs = countingFs();
  const cache = new CollateralFileCache({ fs });
  const first = await loadDcapCollateral(file, quote, cache);
  assert.deepEqual(await loadDcapCollateral(file, quote, cache), first);
  assert.equal(fs.reads.length, 1);
  writeFileSync(file, '{');
  const broken = await failure(() => loadDcapCollateral(file, quote, cache));
  assert.equal(broken.code, 'CAS_ATTESTATION_COLLATERAL_MALFORMED');
  assert.deepEqual(broken, await failure(() => loadDcapCollateral(file, quote)));
  assert.deepEqual(await failure(() => loadDcapCollateral(file, quote, cache)), broken);
  unlinkSync(file);
  const gone = await failure(() => loadDcapCollateral(file, quote, cache));
  assert.deepEqual(gone, {
    code: 'CAS_ATTESTATION_COLLATERAL_MISSING',
    message: `The collateral ${file} cannot be read.`,
  });
  assert.deepEqual(gone, await failure(() => loadDcapCollateral(file, quote)));
});

test('raw PCS files are parsed once per version too', async (t) => {
  const root = requireShared(t, 'testvectors', 'sgx');
  if (root === null) return;
  const dir = tempDir(t, 'cas-pcs-cache-');
  const names = RAW_PCS_FILES;
  for (const name of names) copyFileSync(join(root, name), join(dir, name));
  const key = dcapCollateralKey(new Uint8Array(readFileSync(join(root, 'automata_quotev3.bin'))));
  const fs = countingFs();
  const source = directoryDcapCollateralSource(dir, new CollateralFileCache({ fs }));
  const first = await source.collateralFor(key);
  const reads = fs.reads.length;
  // each JSON file is read as collateral JSON and as a PCS response, the rest as PCS responses
  assert.equal(reads, names.length + 2);
  assert.deepEqual(await source.collateralFor(key), first);
  assert.equal(fs.reads.length, reads);
  touch(join(dir, 'automata_intel_root_ca_crl.der'), 10);
  assert.deepEqual(await source.collateralFor(key), first);
  assert.deepEqual(fs.reads.slice(reads), [join(dir, 'automata_intel_root_ca_crl.der')]);
  unlinkSync(join(dir, 'automata_intel_root_ca_crl.der'));
  const uncached = directoryDcapCollateralSource(dir);
  assert.deepEqual(
    await failure(() => source.collateralFor(key)),
    await failure(() => uncached.collateralFor(key)),
  );
});
