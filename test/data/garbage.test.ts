import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ROOT, cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

// A file whose content is not what its extension says gets one printable line saying what it
// looks like — never its raw bytes — exit 2, and no report file.
const config = (file: string, extra = '') =>
  [
    'steps: 5',
    'batchSize: 4',
    'network: { inputDim: 4, layers: [{ name: l1, units: 4, activation: relu }, { name: v, units: 1 }] }',
    `data: { source: recorded, path: ${file}${extra} }`,
  ].join('\n');

/** Bytes from a seeded generator: the same "random binary file" every run. */
function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) out[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return out;
}

async function refused(name: string, bytes: Uint8Array, extra = '', env?: Record<string, string>): Promise<string> {
  const dir = tempDir('cd-garbage-');
  writeFileSync(path.join(dir, name), bytes);
  writeFileSync(path.join(dir, 'c.yaml'), config(name, extra));
  const r = await cli(['run', path.join(dir, 'c.yaml'), '--json', path.join(dir, 'r.json')], { env });
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  // eslint-disable-next-line no-control-regex
  expect(lines[0]).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/);
  expect(readdirSync(dir)).not.toContain('r.json');
  return lines[0]!;
}

describe('data files that are not what their extension says', () => {
  for (const ext of ['.csv', '.jsonl', '.ndjson', '.npy', '.npz', '.h5', '.hdf5', '.parquet', '.csv.gz', '.jsonl.gz', '.gz']) {
    it(`random binary content named ${ext}: exit 2, one printable line, no report`, async () => {
      const line = await refused(`data${ext}`, randomBytes(3000, ext.length * 7919));
      expect(line).toContain(`data${ext}`);
    });
  }

  it('a gzip-compressed CSV is read under any name; refused with data.compression none, and gzip of binary says so', async () => {
    const csv = readFileSync(path.join(ROOT, 'fixtures/cartpole/rollout.csv'));
    const dir = tempDir('cd-gzip-');
    writeFileSync(path.join(dir, 'rollout.csv'), gzipSync(csv));
    writeFileSync(path.join(dir, 'c.yaml'), config('rollout.csv'));
    const ok = await cli(['run', path.join(dir, 'c.yaml'), '--json', path.join(dir, 'r.json')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(await refused('rollout.csv', gzipSync(csv), ', compression: none')).toMatch(
      /rollout\.csv: looks like gzip-compressed data, not a CSV file: name it \.csv\.gz \/ \.jsonl\.gz or set data\.compression to auto/,
    );
    expect(await refused('rollout.csv.gz', gzipSync(randomBytes(3000, 5)))).toMatch(
      /rollout\.csv\.gz: gzip-compressed, and inside it looks like binary data/,
    );
    expect(await refused('rollout.csv.gz', csv, ', compression: gzip')).toMatch(
      /data\.compression is gzip, but the file is not gzip-compressed/,
    );
    expect(await refused('states.npy', gzipSync(csv))).toMatch(
      /looks like gzip-compressed data, not a numpy \.npy array: numpy \.npy array cannot/,
    );
  });

  it('an HDF5 file named .npy, a Parquet file named .h5', async () => {
    const h5 = readFileSync(path.join(ROOT, 'fixtures/datasets/cartpole-d4rl.h5'));
    expect(await refused('states.npy', h5)).toMatch(
      /looks like an HDF5 file, not a numpy \.npy array \(set data\.format, or name it \.h5\)/,
    );
    const pq = readFileSync(path.join(ROOT, 'fixtures/datasets/cartpole-lerobot.parquet'));
    expect(await refused('data.h5', pq)).toMatch(/looks like a Parquet file, not an HDF5 file/);
  });

  it('truncated HDF5 and Parquet files, and an HDF5 file of another layout: one line saying what is wrong', async () => {
    const h5 = readFileSync(path.join(ROOT, 'fixtures/datasets/cartpole-d4rl.h5'));
    expect(await refused('data.h5', h5.subarray(0, 3000))).toMatch(/data\.h5: not a readable HDF5 file \(truncated file: eof = 3000/);
    const pq = readFileSync(path.join(ROOT, 'fixtures/datasets/cartpole-lerobot.parquet'));
    expect(await refused('data.parquet', pq.subarray(0, 3000))).toMatch(/data\.parquet: not a readable Parquet file/);
    const minari = readFileSync(path.join(ROOT, 'fixtures/datasets/cartpole-minari.h5'));
    expect(await refused('m.h5', minari, ', layout: d4rl')).toMatch(
      /no dataset "observations" \(states \(observations\)\); it has: "episode_0", "episode_1"/,
    );
  });

  it('an HDF5 dataset is read on a thread ended after its time: a read that takes longer is refused in one line', async () => {
    // (A damaged HDF5 file can make the library loop forever; a limit of 1 ms stands in for one here.)
    const h5 = readFileSync(path.join(ROOT, 'fixtures/datasets/cartpole-d4rl.h5'));
    const started = Date.now();
    const line = await refused('data.h5', h5, '', { CRITIC_DOCTOR_HDF5_SECONDS: '0.001' });
    expect(line).toMatch(/data\.h5: the HDF5 library had not read it after 0\.001 s: a damaged or hostile file/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('an .npz named .npy, a .npy named .csv', async () => {
    const npz = readFileSync(path.join(ROOT, 'fixtures/cartpole/rollout.npz'));
    expect(await refused('states.npy', npz)).toMatch(/looks like a zip archive \(an \.npz\?\), not a numpy \.npy array/);
    const npy = readFileSync(path.join(ROOT, 'fixtures/cartpole/states.npy'));
    expect(await refused('rollout.csv', npy)).toMatch(
      /looks like a numpy \.npy array, not a CSV file \(set data\.format, or name it \.npy\)/,
    );
  });
});
