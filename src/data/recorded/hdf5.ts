import h5wasm, { Dataset, Group, type File as H5File } from 'h5wasm/node';
import { DataError } from '../../config/errors.js';
import type { RecordedDataConfig } from '../../config/schema.js';
import { GrowableF32 } from './growable.js';
import type { BadRowPolicy, RecordedRollout } from './recorded-data.js';
import { finishRollout, type RolloutColumns } from './rollout-columns.js';
import { printable } from './sniff.js';

export type Hdf5Layout = NonNullable<RecordedDataConfig['layout']>;

/** h5wasm's datatype classes that hold numbers: integer, float, enum (h5py's bool). */
const NUMERIC_CLASSES = new Set([0, 1, 8]);
const CLASS_NAMES: Record<number, string> = {
  2: 'times',
  3: 'strings',
  4: 'bit fields',
  5: 'opaque bytes',
  6: 'compound records',
  7: 'references',
  9: 'variable-length data',
  10: 'arrays',
};
/** Values read per slice: large datasets stream through in pieces of about 16 MiB of float32. */
const CHUNK_VALUES = 1 << 22;

/**
 * An HDF5 rollout through h5wasm (the HDF5 C library compiled to wasm), in one of the layouts
 * offline-RL datasets ship in — D4RL, Minari, robomimic — or with the datasets named in
 * data.arrays. Every numeric dtype is read (as float32), datasets in slices of ~4M values.
 */
export async function readHdf5(
  file: string,
  cfg: RecordedDataConfig,
  policy: BadRowPolicy,
  actions = false,
): Promise<RecordedRollout & { layout: Hdf5Layout }> {
  let f: H5File;
  try {
    f = await openHdf5(file);
  } catch (e) {
    throw new DataError((e as Error).message, { file });
  }
  try {
    const layout = cfg.layout ?? detectLayout(f, file);
    const cols =
      layout === 'd4rl'
        ? flat(f, file, cfg, {
            states: 'observations',
            rewards: 'rewards',
            dones: 'terminals',
            truncations: 'timeouts?',
            nextStates: 'next_observations?',
            actions: cfg.arrays.actions ?? (actions ? 'actions?' : undefined),
            returns: cfg.arrays.returns,
            values: cfg.arrays.values,
          })
        : layout === 'arrays'
          ? flat(f, file, cfg, {
              states: cfg.arrays.states,
              rewards: cfg.arrays.rewards,
              dones: cfg.arrays.dones,
              truncations: cfg.arrays.truncations,
              nextStates: cfg.arrays.nextStates,
              returns: cfg.arrays.returns,
              values: cfg.arrays.values,
              actions: cfg.arrays.actions,
            })
          : episodic(f, file, cfg, layout, actions);
    if (layout !== 'minari' && layout !== 'robomimic') cols.stateSource = `${layout} ${cols.stateSource}`;
    return { ...finishRollout(cols, policy), layout };
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`cannot read the HDF5 file (${hdf5Reason(e)})`, { file });
  } finally {
    f.close();
  }
}

/** The innermost reason of an HDF5 error stack ("truncated file: eof = 3000, …"), on one printable line. */
/** Opens an HDF5 file read-only; what stops it is one line ("not a readable HDF5 file (why)"). */
export async function openHdf5(file: string): Promise<H5File> {
  const lib = await h5wasm.ready;
  // The HDF5 library prints its error stack to stderr by default; thrown instead, it becomes one message.
  lib.activate_throwing_error_handler();
  try {
    return new h5wasm.File(file, 'r');
  } catch (e) {
    throw new Error(`not a readable HDF5 file (${hdf5Reason(e)})`, { cause: e });
  }
}

function hdf5Reason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const reasons = [...text.matchAll(/#\d+: .* in [\w.]+\(\): (.*)/g)].map((m) => m[1]!.trim());
  return printable(reasons.at(-1) ?? text.split('\n')[0] ?? 'unknown error', 160);
}

/** The layout a file's datasets say: D4RL's flat observations, Minari's episode_N groups, robomimic's data/demo_N. */
function detectLayout(f: H5File, file: string): Hdf5Layout {
  const keys = f.keys();
  if (keys.includes('observations') && f.get('observations') instanceof Dataset) return 'd4rl';
  if (keys.some((k) => /^episode_\d+$/.test(k))) return 'minari';
  const data = f.get('data');
  if (data instanceof Group && data.keys().some((k) => /^demo_\d+$/.test(k))) return 'robomimic';
  throw new DataError(
    `cannot tell the HDF5 layout: no observations dataset (D4RL), episode_N groups (Minari) or data/demo_N groups (robomimic); ` +
      `the file has: ${listing(keys)}. Set data.layout (arrays: name the datasets in data.arrays)`,
    { file },
  );
}

function listing(keys: string[]): string {
  const shown = keys.slice(0, 12).map((k) => JSON.stringify(k));
  return keys.length === 0 ? 'nothing' : `${shown.join(', ')}${keys.length > 12 ? `, … (${keys.length} in all)` : ''}`;
}

/** A dataset by path; `optional` gives undefined where it is absent. Anything else is a DataError naming it. */
function dataset(g: Group, name: string, file: string, role: string, optional = false): Dataset | undefined {
  const d = g.get(name);
  if (d instanceof Dataset) return d;
  if (d === null && optional) return undefined;
  const where = g.path === '/' ? '' : ` in ${g.path}`;
  if (d instanceof Group)
    throw new DataError(`"${name}"${where} is a group, not a dataset (${role}); it has: ${listing(d.keys())}`, { file, path: role });
  throw new DataError(`no dataset "${name}"${where} (${role}); it has: ${listing(g.keys())}`, { file, path: role });
}

/** The leading dimension and row width of a [T] / [T, 1] (flags, rewards) or [T, D] (states) dataset. */
function shapeOf(d: Dataset, file: string, role: string, vector: boolean): { rows: number; width: number } {
  const shape = d.shape ?? [];
  const cls = d.metadata.type;
  if (!NUMERIC_CLASSES.has(cls))
    throw new DataError(`dataset ${d.path} holds ${CLASS_NAMES[cls] ?? 'non-numeric data'}, not numbers (${role})`, { file, path: role });
  const ok = vector ? shape.length === 1 || (shape.length === 2 && shape[1] === 1) : shape.length === 1 || shape.length === 2;
  if (!ok)
    throw new DataError(`dataset ${d.path} has shape (${shape.join(', ')}); ${role} must be ${vector ? '[T]' : '[T, D]'}`, {
      file,
      path: role,
    });
  return { rows: shape[0]!, width: shape.length === 2 ? shape[1]! : 1 };
}

/** Rows [start, end) of a dataset as float32, read in slices (int64 via Number, h5py bools as 0/1). */
function readRows(d: Dataset, start: number, end: number, width: number, out?: Float32Array, at = 0): Float32Array {
  const dest = out ?? new Float32Array((end - start) * width);
  const step = Math.max(1, Math.floor(CHUNK_VALUES / width));
  for (let r = start; r < end; r += step) {
    const part = d.slice([[r, Math.min(end, r + step)]]) as ArrayLike<number | bigint>;
    const base = at + (r - start) * width;
    if (part instanceof BigInt64Array || part instanceof BigUint64Array)
      for (let i = 0; i < part.length; i++) dest[base + i] = Number(part[i]);
    else dest.set(part as ArrayLike<number>, base);
  }
  return dest;
}

type FlatNames = Partial<Record<'states' | 'rewards' | 'dones' | 'truncations' | 'nextStates' | 'returns' | 'values' | 'actions', string>>;

/**
 * One table of T transitions (D4RL, or your own dataset names): terminals end an episode with no
 * bootstrap; timeouts (truncations) end it with one, from next_observations[t] where the file has
 * it (the state after a timeout is not observations[t+1], which starts the next episode).
 */
function flat(f: H5File, file: string, cfg: RecordedDataConfig, names: FlatNames): RolloutColumns {
  const opt = (n: string | undefined) =>
    n === undefined ? undefined : n.endsWith('?') ? { name: n.slice(0, -1), optional: true } : { name: n, optional: false };
  const get = (role: keyof FlatNames) => {
    const n = opt(names[role]);
    return n ? dataset(f, n.name, file, `${role} (${n.name})`, n.optional) : undefined;
  };
  const st = get('states')!;
  const { rows: T, width: dim } = shapeOf(st, file, 'states', false);
  const column = (role: keyof FlatNames) => {
    const d = get(role);
    if (!d) return undefined;
    const { rows } = shapeOf(d, file, role, true);
    if (rows !== T) throw new DataError(`lengths disagree: ${d.path} has ${rows} rows, ${st.path} has ${T}`, { file, path: role });
    return readRows(d, 0, T, 1);
  };
  const dones = column('dones')!;
  const truncations = column('truncations');
  const nextDs = get('nextStates');
  let nextRow: Int32Array | undefined;
  let nextStates: Float32Array | undefined;
  const cutLast = cfg.truncated === 'bootstrap' && dones[T - 1] !== 1 && truncations?.[T - 1] !== 1;
  if (nextDs) {
    const s = nextDs.shape ?? [];
    if (s[0] !== T || (s[1] ?? 1) !== dim)
      throw new DataError(`dataset ${nextDs.path} has shape (${s.join(', ')}), states have (${T}, ${dim})`, { file, path: 'nextStates' });
    // Only the rows a truncated step bootstraps from are read.
    const at: number[] = [];
    for (let t = 0; t < T; t++) if ((truncations?.[t] === 1 && dones[t] !== 1) || (cutLast && t === T - 1)) at.push(t);
    nextRow = new Int32Array(T).fill(-1);
    nextStates = new Float32Array(at.length * dim);
    at.forEach((t, k) => {
      readRows(nextDs, t, t + 1, dim, nextStates, k * dim);
      nextRow![t] = k;
    });
  }
  const actDs = get('actions');
  let actions: { values: Float32Array; width: number } | undefined;
  if (actDs) {
    const { rows, width } = shapeOf(actDs, file, 'actions', false);
    if (rows !== T) throw new DataError(`lengths disagree: ${actDs.path} has ${rows} rows, ${st.path} has ${T}`, { file, path: 'actions' });
    actions = { values: readRows(actDs, 0, T, width), width };
  }
  let truncs = truncations;
  if (cutLast && nextDs) {
    // The file's last transition has its next state: the cut-off final episode bootstraps from it.
    truncs = truncations ?? new Float32Array(T);
    truncs[T - 1] = 1;
  }
  return {
    file,
    dim,
    count: T,
    states: readRows(st, 0, T, dim),
    rewards: column('rewards')!,
    dones,
    truncations: truncs,
    nextRow,
    nextStates,
    returns: column('returns'),
    values: column('values'),
    ...(actions ? { actions: actions.values, actionDim: actions.width } : {}),
    where: {
      states: `dataset ${st.path}`,
      rewards: 'dataset rewards',
      dones: `dataset ${opt(names.dones)!.name}`,
      ...(actDs ? { actions: `dataset ${actDs.path}` } : {}),
    },
    stateSource: `dataset ${st.path} (${String(st.dtype)})`,
  };
}

/** Groups named PREFIX_N, in the order of N (not of their names: episode_10 after episode_9). */
function numbered(g: Group, prefix: string): string[] {
  const re = new RegExp(`^${prefix}_(\\d+)$`);
  return g
    .keys()
    .filter((k) => re.test(k))
    .sort((a, b) => Number(re.exec(a)![1]) - Number(re.exec(b)![1]));
}

/**
 * One group per episode. Minari: episode_N/observations [T+1, D] (the extra row is the state after
 * the last step), rewards, terminations, truncations [T]. robomimic: data/demo_N/obs/* (each
 * [T, d], joined in key order, or the keys data.columns.states lists), rewards, dones [T], and
 * next_obs/* for the state after the last step. An episode whose last step is not terminal is
 * truncated and bootstraps from that next state.
 */
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

function episodic(f: H5File, file: string, cfg: RecordedDataConfig, layout: 'minari' | 'robomimic', wantActions = false): RolloutColumns {
  const root = layout === 'minari' ? f : f.get('data');
  if (!(root instanceof Group)) throw new DataError('no "data" group (robomimic layout)', { file });
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
    if (!(ep instanceof Group)) throw new DataError(`${name} is not a group`, { file, path: name });
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

function pushAll(g: GrowableF32, a: Float32Array): void {
  for (let i = 0; i < a.length; i++) g.push(a[i]!);
}

interface ObsReader {
  rows: number;
  width: number;
  source: string;
  read(start: number, end: number): Float32Array;
}

function minariObs(ep: Group, file: string): ObsReader {
  const o = ep.get('observations');
  if (o instanceof Group)
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
  if (!(g instanceof Group))
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
