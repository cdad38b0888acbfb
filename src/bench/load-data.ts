/**
 * `node dist/bench/load-data.js FILE --write [--rows N]` writes N rows × 48 float32 features
 * (episodes of 200 steps) as CSV, or as a D4RL-layout HDF5 file when FILE ends in .h5 — the same
 * values either way; `node dist/bench/load-data.js FILE [--rows N]` loads it with the recorded-data
 * loader and prints one JSON line with the load time and this process's peak RSS. The benchmark
 * runs each step in its own child process, so the peak is the loader's own.
 */
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import h5wasm from 'h5wasm/node';
import { RecordedData } from '../config/schema.js';
import { loadRecorded } from '../data/recorded/load-recorded.js';
import { Rng } from '../data/rng.js';

const file = path.resolve(process.argv[2]!);
const i = process.argv.indexOf('--rows');
const rows = i >= 0 ? Number(process.argv[i + 1]) : 1_000_000;
const DIM = 48;
const hdf5 = file.endsWith('.h5');

/** Row r's features, float32-rounded (the CSV prints them with 9 significant digits: exact round trip). */
function* featureRows(): Generator<Float32Array> {
  const rng = new Rng(1);
  const row = new Float32Array(DIM);
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < DIM; d++) row[d] = rng.normal() * 10;
    yield row;
  }
}

async function write(): Promise<void> {
  const done = (r: number) => (r % 200 === 199 ? 1 : 0);
  if (!hdf5) {
    const fd = openSync(file, 'w');
    writeSync(fd, `${Array.from({ length: DIM }, (_, d) => `obs_${d}`).join(',')},reward,done\n`);
    let chunk = '';
    let r = 0;
    for (const row of featureRows()) {
      chunk += `${Array.from(row, (v) => v.toPrecision(9)).join(',')},1,${done(r++)}\n`;
      if (chunk.length > 1 << 22) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    writeSync(fd, chunk);
    closeSync(fd);
    return;
  }
  await h5wasm.ready;
  const f = new h5wasm.File(file, 'w');
  // Written in slabs of 64k rows into chunked datasets, as large offline-RL files are.
  const obs = f.create_dataset({
    name: 'observations',
    data: new Float32Array(0),
    shape: [0, DIM],
    maxshape: [null, DIM],
    chunks: [4096, DIM],
    dtype: '<f',
  });
  const SLAB = 1 << 16;
  let buf = new Float32Array(SLAB * DIM);
  let n = 0;
  let at = 0;
  const flush = () => {
    obs.resize([at + n, DIM]);
    obs.write_slice([[at, at + n]], buf.subarray(0, n * DIM));
    at += n;
    n = 0;
  };
  for (const row of featureRows()) {
    buf.set(row, n * DIM);
    if (++n === SLAB) flush();
  }
  if (n > 0) flush();
  buf = new Float32Array(0);
  f.create_dataset({ name: 'rewards', data: new Float32Array(rows).fill(1) });
  f.create_dataset({ name: 'terminals', data: Uint8Array.from({ length: rows }, (_, r) => done(r)), dtype: '<B' });
  f.create_dataset({ name: 'timeouts', data: new Uint8Array(rows), dtype: '<B' });
  f.close();
}

async function load(): Promise<void> {
  const cfg = RecordedData.parse({ source: 'recorded', path: file });
  const t0 = performance.now();
  const r = await loadRecorded(cfg, path.dirname(file), DIM, 'error');
  const seconds = (performance.now() - t0) / 1000;
  const result = {
    rows: r.count,
    features: r.dim,
    fileMB: Math.round(statSync(file).size / 2 ** 20),
    seconds: Math.round(seconds * 10) / 10,
    dataMB: Math.round((r.states.byteLength + r.rewards.byteLength + r.dones.byteLength) / 2 ** 20),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await (process.argv.includes('--write') ? write() : load());
