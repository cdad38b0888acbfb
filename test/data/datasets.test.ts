import { readFileSync } from 'node:fs';
import path from 'node:path';
import h5wasm from 'h5wasm/node';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';
import { createDataStream, type DataStream } from '../../src/data/data-stream.js';
import { ROOT } from '../helpers/cli.js';

// The dataset fixtures (fixtures/generate/datasets.mjs) hold one cart-pole rollout: 3 episodes
// that end in a fall (terminal), 3 cut by the 200-step time limit (truncated) and a last one cut
// off by the end of the recording.
const DIR = path.join(ROOT, 'fixtures/datasets');
const GAMMA = 0.99;

async function stream(data: Record<string, unknown>, targets = 'monteCarlo'): Promise<DataStream> {
  const loaded = validateConfig({
    steps: 1,
    batchSize: 8,
    network: { inputDim: 4, layers: [{ name: 'v', units: 1 }] },
    data: { source: 'recorded', targets, gamma: GAMMA, truncated: 'bootstrap', ...data },
  });
  return createDataStream(loaded.config, { baseDir: DIR });
}

/** A stand-in critic, v(s) = Σ (j+1)·s_j: targets become plain numbers to compare. */
const v = (s: ArrayLike<number>) => Array.from(s).reduce((a, x, j) => a + (j + 1) * x, 0);

/** Every transition's target under the stand-in critic, through the sampler (as training sees it). */
function targets(s: DataStream): number[] {
  const b = s.sampler.gather(Int32Array.from({ length: s.transitions.count }, (_, i) => i));
  return Array.from(b.partial, (p, i) => p + b.discount[i]! * (b.nextStates ? v(b.nextStates.subarray(i * 4, i * 4 + 4)) : 0));
}

/** The CSV copy of the rollout: states, rewards, done (falls and time limits alike) and the timeout column. */
function csvRows() {
  const lines = readFileSync(path.join(DIR, 'cartpole.csv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((l) => {
    const f = l.split(',').map(Number);
    return { s: Float32Array.from(f.slice(0, 4)), r: f[4]!, done: f[5]!, timeout: f[6]! };
  });
}

/**
 * Reference Monte-Carlo targets, written out independently in float64: returns restart at a
 * terminal; a time limit (and the cut-off end) bootstraps γ·v(next state) — from the file's
 * next_observations where `next` is given, else (LeRobot, which has no next state) the cut step's
 * own state stands in, its reward not counted.
 */
function reference(next?: Float32Array): number[] {
  const rows = csvRows();
  const out = new Array<number>(rows.length);
  let g = 0;
  for (let t = rows.length - 1; t >= 0; t--) {
    const { r, done, timeout, s } = rows[t]!;
    const cut = timeout === 1 || t === rows.length - 1;
    if (done && !timeout) g = r;
    else if (cut && next) g = r + GAMMA * v(next.subarray(t * 4, t * 4 + 4));
    else if (cut) {
      out[t] = v(s);
      g = v(s);
      continue;
    } else g = r + GAMMA * g;
    out[t] = g;
  }
  return out;
}

async function nextObservations(): Promise<Float32Array> {
  await h5wasm.ready;
  const f = new h5wasm.File(path.join(DIR, 'cartpole-d4rl.h5'), 'r');
  try {
    return (f.get('next_observations') as InstanceType<typeof h5wasm.Dataset>).value as Float32Array;
  } finally {
    f.close();
  }
}

const close = (a: number[], b: number[]) => {
  expect(a).toHaveLength(b.length);
  a.forEach((x, i) => expect(Math.abs(x - b[i]!), `target ${i}: ${x} vs ${b[i]}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(b[i]!))));
};

describe('offline-RL datasets: the same rollout in every layout', () => {
  it('HDF5 files (D4RL, its h5py copy with bool flags, Minari, robomimic) and Parquet load the CSV’s states and rewards', async () => {
    const csv = csvRows();
    for (const [file, layout] of [
      ['cartpole-d4rl.h5', 'd4rl'],
      ['cartpole-d4rl-h5py.hdf5', 'd4rl'],
      ['cartpole-minari.h5', 'minari'],
      ['cartpole-robomimic.hdf5', 'robomimic'],
      ['cartpole-lerobot.parquet', undefined],
    ] as const) {
      const s = await stream({ path: file });
      expect(s.transitions.count, file).toBe(csv.length);
      expect(Array.from(s.transitions.states), file).toEqual(csv.flatMap((r) => Array.from(r.s)));
      expect(Array.from(s.transitions.rewards), file).toEqual(csv.map((r) => r.r));
      expect(Array.from(s.transitions.dones), file).toEqual(csv.map((r) => (r.done && !r.timeout ? 1 : 0)));
      if (layout) expect(s.description, file).toContain(layout);
    }
  });

  it('D4RL timeouts are truncations: Monte-Carlo targets bootstrap from next_observations, as the reference', async () => {
    const ref = reference(await nextObservations());
    const d4rl = await stream({ path: 'cartpole-d4rl.h5' });
    expect(d4rl.description).toMatch(/3 terminal episode ends, 4 truncated/);
    close(targets(d4rl), ref);
    close(targets(await stream({ path: 'cartpole-d4rl-h5py.hdf5' })), ref);
    // Minari's T+1-th observation and robomimic's next_obs give the same next states, hence the same targets.
    close(targets(await stream({ path: 'cartpole-minari.h5' })), ref);
    close(targets(await stream({ path: 'cartpole-robomimic.hdf5', layout: 'robomimic' })), ref);
  });

  it('treating timeouts as terminals (the naive CSV) biases the truncated episodes’ returns, and only those', async () => {
    const ref = reference(await nextObservations());
    const naive = targets(await stream({ path: 'cartpole.csv' }));
    const rows = csvRows();
    // Walking back from the end: the cut-off last episode first (bootstrapped either way, skipped).
    let inTruncated: boolean | null = null;
    let biased = 0;
    for (let t = rows.length - 2; t >= 0; t--) {
      if (rows[t]!.done) inTruncated = rows[t]!.timeout === 1;
      if (inTruncated === null) continue;
      if (inTruncated && rows[t]!.timeout === 0) {
        expect(naive[t]!).not.toBeCloseTo(ref[t]!, 3);
        biased++;
      } else if (!inTruncated) expect(naive[t]!).toBeCloseTo(ref[t]!, 3);
    }
    expect(biased).toBeGreaterThan(300);
  });

  it('LeRobot Parquet: an episode_index change without next.done is a truncation; no next state, so the last state stands in', async () => {
    const ref = reference();
    const pq = await stream({ path: 'cartpole-lerobot.parquet' });
    expect(pq.description).toMatch(/list column observation\.state/);
    close(targets(pq), ref);
    // The same D4RL data read without next_observations (layout arrays) gives the same targets.
    const arrays = await stream({
      path: 'cartpole-d4rl.h5',
      layout: 'arrays',
      arrays: { states: 'observations', rewards: 'rewards', dones: 'terminals', truncations: 'timeouts' },
    });
    close(targets(arrays), ref);
  });

  it('n-step targets stop at a truncation instead of running into the next episode', async () => {
    const s = await stream({ path: 'cartpole-d4rl.h5' }, 'nStep');
    const t = s.transitions;
    const cut = t.truncations!.findIndex((x) => x === 1);
    // The transition before a time limit bootstraps from next_observations, not from the next episode's first state.
    expect(s.plan.bootIndex[cut]!).toBeGreaterThanOrEqual(t.count);
    expect(Array.from(t.nextStates!.subarray((s.plan.bootIndex[cut]! - t.count) * 4, (s.plan.bootIndex[cut]! - t.count + 1) * 4))).toEqual(
      Array.from((await nextObservations()).subarray(cut * 4, cut * 4 + 4)),
    );
  });
});

describe('gzip-compressed text', () => {
  it('.csv.gz and .jsonl.gz load to the same tensors as their plain versions (and gzip under a plain name too)', async () => {
    const load = (p: string, extra: Record<string, unknown> = {}) => stream({ path: `../cartpole/${p}`, ...extra });
    const csv = await load('rollout.csv');
    for (const [p, extra] of [['rollout.csv.gz'], ['rollout.jsonl.gz'], ['rollout.jsonl']] as [string, Record<string, unknown>?][]) {
      const s = await load(p, extra);
      expect(Buffer.from(s.transitions.states.buffer).equals(Buffer.from(csv.transitions.states.buffer)), p).toBe(true);
      expect(Array.from(s.transitions.rewards), p).toEqual(Array.from(csv.transitions.rewards));
      expect(Array.from(s.transitions.dones), p).toEqual(Array.from(csv.transitions.dones));
    }
  });
});

describe('synthetic data is checked up front, as recorded data is', () => {
  const synthetic = (data: Record<string, unknown>) =>
    createDataStream(
      validateConfig({
        steps: 1,
        batchSize: 8,
        network: { inputDim: 3, layers: [{ name: 'v', units: 1 }] },
        data: { source: 'synthetic', ...data },
      }).config,
    );
  it('a state scale float32 cannot hold: a data error naming the row, column, value and the key', async () => {
    await expect(synthetic({ stateScale: 1e39 })).rejects.toThrow(
      /state row 0, column 0 is (-)?Infinity in float32 \(data\.stateScale 1e\+39\)/,
    );
  });
  it('a reward scale float32 cannot hold: the same for rewards', async () => {
    await expect(synthetic({ rewardScale: 1e39 })).rejects.toThrow(/reward \d+ is (-)?Infinity in float32 \(data\.rewardScale 1e\+39\)/);
  });
  it('scales float32 holds pass', async () => {
    await expect(synthetic({ stateScale: 1e30, rewardScale: 1e30 })).resolves.toBeDefined();
  });
});
