import type { Dataset, Group, File as H5File } from 'h5wasm/node';
import { h5 } from '../../util/h5wasm.js';
import { DataError } from '../../config/errors.js';
import type { RecordedDataConfig } from '../../config/schema.js';
import { GrowableF32 } from './growable.js';
import type { RolloutColumns } from './rollout-columns.js';
import { dataset, listing, pushAll, readRows, shapeOf } from './hdf5-datasets.js';

// The episodic HDF5 layouts: Minari (episode_N groups, observations [T+1, D]) and robomimic
// (data/demo_N groups, obs/* and next_obs/* per key), read episode by episode into one rollout.

/** Groups named PREFIX_N, in the order of N (not of their names: episode_10 after episode_9). */
function numbered(g: Group, prefix: string): string[] {
  const re = new RegExp(`^${prefix}_(\\d+)$`);
  return g
    .keys()
    .filter((k) => re.test(k))
    .sort((a, b) => Number(re.exec(a)![1]) - Number(re.exec(b)![1]));
}

/** An episode's actions ([T, A] `actions` in Minari and robomimic alike) onto `out`; returns A, which every episode must share. */
function episodeActions(ep: Group, T: number, cfg: RecordedDataConfig, file: string, width: number, out: GrowableF32): number {
  const a = dataset(ep, cfg.arrays.actions ?? 'actions', file, 'actions')!;
  const { rows, width: w } = shapeOf(a, file, 'actions', false);
  if (rows !== T) throw new DataError(`lengths disagree: ${a.path} has ${rows} rows, the episode ${T} steps`, { file, path: 'actions' });
  if (width >= 0 && w !== width)
    throw new DataError(`${a.path} is ${w} wide, earlier episodes' actions ${width}`, { file, path: 'actions' });
  pushAll(out, readRows(a, 0, T, w));
  return w;
}

/**
 * One group per episode. Minari: episode_N/observations [T+1, D] (the extra row is the state after
 * the last step), rewards, terminations, truncations [T]. robomimic: data/demo_N/obs/* (each
 * [T, d], joined in key order, or the keys data.columns.states lists), rewards, dones [T], and
 * next_obs/* for the state after the last step. An episode whose last step is not terminal is
 * truncated and bootstraps from that next state.
 */
export function episodic(
  f: H5File,
  file: string,
  cfg: RecordedDataConfig,
  layout: 'minari' | 'robomimic',
  wantActions = false,
): RolloutColumns {
  const root = layout === 'minari' ? f : f.get('data');
  if (!(root instanceof h5().Group)) throw new DataError('no "data" group (robomimic layout)', { file });
  const episodes = numbered(root, layout === 'minari' ? 'episode' : 'demo');
  if (episodes.length === 0)
    throw new DataError(
      `no ${layout === 'minari' ? 'episode_N' : 'data/demo_N'} groups (${layout} layout); the file has: ${listing(root.keys())}`,
      { file },
    );
  const states = new GrowableF32(1 << 16);
  const rewards = new GrowableF32();
  const dones = new GrowableF32();
  const truncs = new GrowableF32();
  const nextStates = new GrowableF32();
  const nextRows: number[] = [];
  const starts: number[] = [];
  const actions = new GrowableF32();
  let actionDim = -1;
  let dim = -1;
  let source = '';
  for (const name of episodes) {
    const ep = root.get(name);
    if (!(ep instanceof h5().Group)) throw new DataError(`${name} is not a group`, { file, path: name });
    const { obs, r, end, cut, T } = episodeData(ep, name, layout, file, cfg, dim);
    if (dim < 0) {
      dim = obs.width;
      source = obs.source;
    }
    starts.push(states.length / Math.max(dim, 1));
    pushAll(states, obs.read(0, T));
    pushAll(rewards, readRows(r, 0, T, 1));
    if (wantActions) actionDim = episodeActions(ep, T, cfg, file, actionDim, actions);
    const e = readRows(end, 0, T, 1);
    const c = cut ? readRows(cut, 0, T, 1) : new Float32Array(T);
    pushAll(dones, e);
    // The last step of an episode that did not terminate is cut (truncated), whatever its flag says.
    if (e[T - 1] !== 1) c[T - 1] = 1;
    pushAll(truncs, c);
    for (let t = 0; t < T; t++) {
      if (c[t] !== 1 || e[t] === 1) {
        nextRows.push(-1);
        continue;
      }
      // Minari's observation t+1 is the state after step t; robomimic's next_obs[t].
      const next = layout === 'minari' ? obs.read(t + 1, t + 2) : robomimicObs(ep, 'next_obs', file, cfg, true)?.read(t, t + 1);
      if (!next) {
        nextRows.push(-1);
        continue;
      }
      nextRows.push(nextStates.length / dim);
      pushAll(nextStates, next);
    }
  }
  const count = rewards.length;
  return {
    file,
    dim,
    count,
    states: states.toArray(),
    rewards: rewards.toArray(),
    dones: dones.toArray(),
    truncations: truncs.toArray(),
    nextRow: Int32Array.from(nextRows),
    nextStates: nextStates.toArray(),
    ...(wantActions ? { actions: actions.toArray(), actionDim } : {}),
    where: { states: 'observations', rewards: 'rewards', dones: layout === 'minari' ? 'terminations' : 'dones', actions: 'actions' },
    rowName: (t) => {
      let lo = 0;
      while (lo + 1 < starts.length && starts[lo + 1]! <= t) lo++;
      return `${episodes[lo]}, step ${t - starts[lo]!}`;
    },
    stateSource: `${layout} ${source}, ${episodes.length} episodes`,
  };
}

/** One episode's datasets, checked: observations (T+1 for Minari, T for robomimic), rewards, terminations, truncations. */
function episodeData(ep: Group, name: string, layout: 'minari' | 'robomimic', file: string, cfg: RecordedDataConfig, dim: number) {
  const obs = layout === 'minari' ? minariObs(ep, file) : robomimicObs(ep, 'obs', file, cfg)!;
  const r = dataset(ep, 'rewards', file, `${name}/rewards`)!;
  const end = dataset(
    ep,
    layout === 'minari' ? 'terminations' : 'dones',
    file,
    `${name}/${layout === 'minari' ? 'terminations' : 'dones'}`,
  )!;
  const cut = layout === 'minari' ? dataset(ep, 'truncations', file, `${name}/truncations`, true) : undefined;
  const T = shapeOf(r, file, `${name}/rewards`, true).rows;
  if (dim >= 0 && obs.width !== dim)
    throw new DataError(`${name} has ${obs.width} state features, earlier episodes ${dim}`, { file, path: name });
  const needObs = layout === 'minari' ? T + 1 : T;
  if (obs.rows !== needObs)
    throw new DataError(`${name}: ${obs.rows} observations for ${T} rewards (${layout} stores ${layout === 'minari' ? 'T+1' : 'T'})`, {
      file,
      path: name,
    });
  const flags: Dataset[] = cut ? [end, cut] : [end];
  for (const d of flags) {
    const n = shapeOf(d, file, d.path, true).rows;
    if (n !== T) throw new DataError(`${name}: ${d.path} has ${n} entries, rewards ${T}`, { file, path: name });
  }
  return { obs, r, end, cut, T };
}

interface ObsReader {
  rows: number;
  width: number;
  source: string;
  read(start: number, end: number): Float32Array;
}

function minariObs(ep: Group, file: string): ObsReader {
  const o = ep.get('observations');
  if (o instanceof h5().Group)
    throw new DataError(
      `${ep.path}/observations is a group (a dict observation space: ${listing(o.keys())}); critic-doctor reads Box ` +
        'observations — flatten them, or export the arrays and use data.layout: arrays',
      { file, path: `${ep.path}/observations` },
    );
  const d = dataset(ep, 'observations', file, `${ep.path}/observations`)!;
  const { rows, width } = shapeOf(d, file, `${ep.path}/observations`, false);
  return { rows, width, source: `observations (${String(d.dtype)})`, read: (s, e) => readRows(d, s, e, width) };
}

/** robomimic's obs (or next_obs) group: its [T, d] datasets side by side, in key order or data.columns.states's. */
function robomimicObs(
  ep: Group,
  group: 'obs' | 'next_obs',
  file: string,
  cfg: RecordedDataConfig,
  optional = false,
): ObsReader | undefined {
  const g = ep.get(group);
  if (g === null && optional) return undefined;
  if (!(g instanceof h5().Group))
    throw new DataError(`no ${group} group in ${ep.path} (robomimic layout)`, { file, path: `${ep.path}/${group}` });
  const wanted = cfg.columns.states;
  const keys = Array.isArray(wanted) ? wanted : typeof wanted === 'string' ? [wanted] : [...g.keys()].sort();
  const parts = keys.map((k) => {
    const d = dataset(g, k, file, `${ep.path}/${group}/${k}`)!;
    const shape = d.shape ?? [];
    if (shape.length > 2)
      throw new DataError(
        `${d.path} has shape (${shape.join(', ')}): images are not state features; list the low-dimensional keys in data.columns.states`,
        { file, path: d.path },
      );
    return { d, ...shapeOf(d, file, d.path, false) };
  });
  const rows = parts[0]?.rows ?? 0;
  for (const p of parts)
    if (p.rows !== rows) throw new DataError(`${p.d.path} has ${p.rows} rows, ${parts[0]!.d.path} ${rows}`, { file, path: p.d.path });
  const width = parts.reduce((s, p) => s + p.width, 0);
  return {
    rows,
    width,
    source: `${group}/{${keys.join(',')}}`,
    read: (s, e) => {
      const out = new Float32Array((e - s) * width);
      let off = 0;
      for (const p of parts) {
        const a = readRows(p.d, s, e, p.width);
        for (let r = 0; r < e - s; r++) out.set(a.subarray(r * p.width, (r + 1) * p.width), r * width + off);
        off += p.width;
      }
      return out;
    },
  };
}
