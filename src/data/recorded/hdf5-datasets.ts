import type { Dataset, Group } from 'h5wasm/node';
import { h5 } from '../../util/h5wasm.js';
import { DataError } from '../../config/errors.js';
import type { GrowableF32 } from './growable.js';

// Reading HDF5 datasets as rollout columns, for every layout (hdf5.ts's flat tables, hdf5-episodes.ts's
// episode groups): a dataset by name, its shape checked for its role, its rows as float32.

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

export function listing(keys: string[]): string {
  const shown = keys.slice(0, 12).map((k) => JSON.stringify(k));
  return keys.length === 0 ? 'nothing' : `${shown.join(', ')}${keys.length > 12 ? `, … (${keys.length} in all)` : ''}`;
}

/** A dataset by path; `optional` gives undefined where it is absent. Anything else is a DataError naming it. */
export function dataset(g: Group, name: string, file: string, role: string, optional = false): Dataset | undefined {
  const d = g.get(name);
  if (d instanceof h5().Dataset) return d;
  if (d === null && optional) return undefined;
  const where = g.path === '/' ? '' : ` in ${g.path}`;
  if (d instanceof h5().Group)
    throw new DataError(`"${name}"${where} is a group, not a dataset (${role}); it has: ${listing(d.keys())}`, { file, path: role });
  throw new DataError(`no dataset "${name}"${where} (${role}); it has: ${listing(g.keys())}`, { file, path: role });
}

/** The leading dimension and row width of a [T] / [T, 1] (flags, rewards) or [T, D] (states) dataset. */
export function shapeOf(d: Dataset, file: string, role: string, vector: boolean): { rows: number; width: number } {
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
export function readRows(d: Dataset, start: number, end: number, width: number, out?: Float32Array, at = 0): Float32Array {
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

export function pushAll(g: GrowableF32, a: Float32Array): void {
  for (let i = 0; i < a.length; i++) g.push(a[i]!);
}
