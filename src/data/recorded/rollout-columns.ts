import { DataError } from '../../config/errors.js';
import type { BadRowPolicy, RecordedRollout } from './recorded-data.js';

type Role = 'states' | 'rewards' | 'dones' | 'truncations' | 'returns' | 'values' | 'actions';

/**
 * A rollout read column by column (numpy arrays, HDF5 datasets, Parquet columns) as float32,
 * before it is checked: flags still raw numbers, rows not yet dropped.
 */
export interface RolloutColumns {
  file: string;
  dim: number;
  count: number;
  states: Float32Array;
  rewards: Float32Array;
  dones: Float32Array;
  truncations?: Float32Array;
  /** Row of `nextStates` holding the state after t, for truncated t where the file has it (else -1). */
  nextRow?: Int32Array;
  nextStates?: Float32Array;
  returns?: Float32Array;
  values?: Float32Array;
  /** The action at each t (count × actionDim), where the file has them and a Q(s, a) critic reads them. */
  actions?: Float32Array;
  actionDim?: number;
  /** How messages name each column ("array states", "dataset observations"). */
  where: Partial<Record<Role, string>>;
  /** The file each column came from, where columns come from separate files (.npy); else `file`. */
  files?: Partial<Record<Role, string>>;
  /** How messages name row t ("index 17", "episode_3, step 5"); index t by default. */
  rowName?: (t: number) => string;
  stateSource: string;
}

/**
 * Checks a rollout's columns and returns it as training reads it: states, rewards, returns and
 * values finite, done and truncation flags 0 or 1. A bad row is an error naming the column and
 * row, or (policy drop) is dropped and counted; a dropped row that ended its episode hands the
 * end to the kept row before it, so episodes never run into each other.
 */
export function finishRollout(c: RolloutColumns, policy: BadRowPolicy): RecordedRollout {
  const { count: T, dim } = c;
  if (T === 0) throw new DataError('no transitions: the arrays are empty', { file: c.file, path: c.where.states });
  const keep = new Uint8Array(T).fill(1);
  let dropped = 0;
  const rowName = c.rowName ?? ((t: number) => `index ${t}`);
  const cols: [Role, Float32Array | undefined, number][] = [
    ['states', c.states, dim],
    ['rewards', c.rewards, 1],
    ['dones', c.dones, 1],
    ['truncations', c.truncations, 1],
    ['returns', c.returns, 1],
    ['values', c.values, 1],
    ['actions', c.actions, c.actionDim ?? 1],
  ];
  for (const [role, a, width] of cols) {
    if (!a) continue;
    const flag = role === 'dones' || role === 'truncations';
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < width; j++) {
        const v = a[t * width + j]!;
        if (flag ? v === 0 || v === 1 : Number.isFinite(v)) continue;
        if (policy === 'error') {
          const at = width > 1 ? (c.rowName ? `${rowName(t)}, feature ${j}` : `index [${t}, ${j}]`) : rowName(t);
          const what = flag ? `${role} must be 0 or 1` : `${role} must be finite${Number.isFinite(v) ? '' : ' (in float32)'}`;
          throw new DataError(`${Number.isNaN(v) ? 'NaN' : v} at ${at}: ${what}`, {
            file: c.files?.[role] ?? c.file,
            path: `${c.where[role] ?? role}, ${at}`,
          });
        }
        if (keep[t]) dropped++;
        keep[t] = 0;
      }
    }
  }
  const kept = T - dropped;
  if (kept === 0) throw new DataError(`no usable transitions (${dropped} dropped)`, { file: c.file });
  const dones = new Uint8Array(kept);
  const truncations = c.truncations ? new Uint8Array(kept) : undefined;
  const nextRow = c.nextRow ? new Int32Array(kept).fill(-1) : undefined;
  const pick = (a: Float32Array | undefined, width: number) => {
    if (!a) return undefined;
    if (dropped === 0) return a;
    const out = new Float32Array(kept * width);
    for (let t = 0, k = 0; t < T; t++) if (keep[t]) out.set(a.subarray(t * width, (t + 1) * width), width * k++);
    return out;
  };
  for (let t = 0, k = -1; t < T; t++) {
    const isDone = c.dones[t] === 1;
    const isCut = c.truncations?.[t] === 1;
    if (keep[t]) k++;
    // A dropped episode end moves to the kept row before it (unless that row ends an episode itself).
    const at = keep[t] ? k : k >= 0 && !dones[k] && !truncations?.[k] ? k : -1;
    if (at < 0) continue;
    if (isDone) dones[at] = 1;
    else if (isCut && truncations) {
      truncations[at] = 1;
      if (nextRow) nextRow[at] = c.nextRow![t]!;
    }
  }
  return {
    dim,
    count: kept,
    states: pick(c.states, dim)!,
    rewards: pick(c.rewards, 1)!,
    dones,
    truncations,
    nextRow,
    nextStates: c.nextStates,
    returns: pick(c.returns, 1),
    values: pick(c.values, 1),
    ...(c.actions ? { actions: pick(c.actions, c.actionDim!), actionDim: c.actionDim } : {}),
    droppedRows: dropped,
    stateSource: c.stateSource,
  };
}
