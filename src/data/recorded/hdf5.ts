import type { File as H5File } from 'h5wasm/node';
import { h5, loadH5wasm } from '../../util/h5wasm.js';
import { DataError } from '../../config/errors.js';
import type { RecordedDataConfig } from '../../config/schema.js';
import type { BadRowPolicy, RecordedRollout } from './recorded-data.js';
import { finishRollout, type RolloutColumns } from './rollout-columns.js';
import { printable } from './sniff.js';
import { dataset, listing, readRows, shapeOf } from './hdf5-datasets.js';
import { episodic } from './hdf5-episodes.js';

export type Hdf5Layout = NonNullable<RecordedDataConfig['layout']>;

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
  const h5wasm = await loadH5wasm();
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
  if (keys.includes('observations') && f.get('observations') instanceof h5().Dataset) return 'd4rl';
  if (keys.some((k) => /^episode_\d+$/.test(k))) return 'minari';
  const data = f.get('data');
  if (data instanceof h5().Group && data.keys().some((k) => /^demo_\d+$/.test(k))) return 'robomimic';
  throw new DataError(
    `cannot tell the HDF5 layout: no observations dataset (D4RL), episode_N groups (Minari) or data/demo_N groups (robomimic); ` +
      `the file has: ${listing(keys)}. Set data.layout (arrays: name the datasets in data.arrays)`,
    { file },
  );
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
