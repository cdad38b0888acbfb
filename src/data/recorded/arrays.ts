import path from 'node:path';
import { DataError } from '../../config/errors.js';
import type { RecordedDataConfig } from '../../config/schema.js';
import type { NumericArray } from './npy.js';
import { readNpy } from './npy.js';
import { readNpz } from './npz.js';
import type { BadRowPolicy, RecordedRollout } from './recorded-data.js';
import { readInputFile } from './read-input.js';
import { finishRollout } from './rollout-columns.js';

type Role = 'states' | 'rewards' | 'dones' | 'truncations' | 'nextStates' | 'returns' | 'values' | 'actions';

/**
 * A rollout stored as numpy arrays: states [T, D] (or [T]), rewards [T], dones [T] and the
 * optional truncations [T], nextStates [T, D], returns/values [T], from separate .npy files
 * (data.arrays names files next to the config; data.path is the states file) or from one .npz
 * archive (data.arrays names arrays in it).
 */
export function readArrays(
  dataFile: string,
  format: 'npy' | 'npz',
  cfg: RecordedDataConfig,
  baseDir: string,
  policy: BadRowPolicy,
): RecordedRollout {
  const optional = ['truncations', 'nextStates', 'returns', 'values', 'actions'] as const;
  const roles: Role[] = ['states', 'rewards', 'dones', ...optional.filter((r) => cfg.arrays[r])];
  const got = loadArrays(dataFile, format, roles, cfg, baseDir);
  const st = got.get('states')!;
  const { T, dim } = checkShapes(got);
  const f32 = (role: Role) => (got.has(role) ? Float32Array.from(got.get(role)!.a.values) : undefined);
  const dones = f32('dones')!;
  let truncations = f32('truncations');
  const next = f32('nextStates');
  let nextRow: Int32Array | undefined;
  if (next) {
    // The file's last transition has its next state: a cut-off final episode bootstraps from it.
    if (cfg.truncated === 'bootstrap' && dones[T - 1] !== 1 && truncations?.[T - 1] !== 1) {
      truncations ??= new Float32Array(T);
      truncations[T - 1] = 1;
    }
    nextRow = Int32Array.from({ length: T }, (_, t) => t);
  }
  // Separate .npy files: messages name the file a bad value sits in.
  const where = Object.fromEntries(
    [...got].map(([role, g]) => [role, format === 'npy' && role !== 'states' ? `${g.where} (${path.basename(g.file)})` : g.where]),
  );
  return finishRollout(
    {
      file: st.file,
      dim,
      count: T,
      states: f32('states')!,
      rewards: f32('rewards')!,
      dones,
      truncations,
      nextRow,
      nextStates: next,
      returns: f32('returns'),
      values: f32('values'),
      ...(got.has('actions') ? { actions: f32('actions'), actionDim: got.get('actions')!.a.shape[1] ?? 1 } : {}),
      where,
      files: Object.fromEntries([...got].map(([role, g]) => [role, g.file])),
      stateSource: `${st.where} (${st.a.dtype})`,
    },
    policy,
  );
}

type Loaded = Map<Role, { a: NumericArray; where: string; file: string }>;

/** Each role's array: from the .npz archive by name, or from its own .npy file (states: data.path). */
function loadArrays(dataFile: string, format: 'npy' | 'npz', roles: Role[], cfg: RecordedDataConfig, baseDir: string): Loaded {
  const got: Loaded = new Map();
  if (format === 'npz') {
    const archive = readNpz(readInputFile(dataFile), dataFile);
    for (const role of roles) {
      const name = cfg.arrays[role]!;
      const load = archive.get(name);
      if (!load)
        throw new DataError(
          `no array "${name}" (data.arrays.${role}) in the archive; it has: ${[...archive.keys()].join(', ') || 'none'}`,
          { file: dataFile },
        );
      got.set(role, { a: load(), where: `array ${name}`, file: dataFile });
    }
  } else {
    for (const role of roles) {
      const file = role === 'states' ? dataFile : path.resolve(baseDir, withNpy(cfg.arrays[role]!));
      got.set(role, { a: readNpy(readInputFile(file), { file }), where: `array ${role}`, file });
    }
  }
  return got;
}

/** The arrays' shapes agree: states [T, D], nextStates [T, D], the others [T] (or [T, 1]). */
function checkShapes(got: Loaded): { T: number; dim: number } {
  const st = got.get('states')!;
  const T = st.a.shape[0] ?? 0;
  if (st.a.shape.length > 2 || st.a.shape.length === 0)
    throw new DataError(`states must be a [T, D] array, got shape (${st.a.shape.join(', ')})`, { file: st.file, path: st.where });
  if (T === 0) throw new DataError('empty array: no transitions', { file: st.file, path: st.where });
  const dim = st.a.shape.length === 2 ? st.a.shape[1]! : 1;
  for (const [role, g] of got) {
    if (role === 'states') continue;
    const width = g.a.shape.length === 2 ? g.a.shape[1] : 1;
    const ok =
      role === 'nextStates'
        ? g.a.shape.length <= 2 && width === dim
        : role === 'actions'
          ? g.a.shape.length <= 2
          : g.a.shape.length === 1 || (g.a.shape.length === 2 && width === 1);
    if (!ok)
      throw new DataError(
        `${role} must be a ${role === 'nextStates' ? `[T, ${dim}]` : role === 'actions' ? '[T, A]' : '[T]'} array, ` +
          `got shape (${g.a.shape.join(', ')})`,
        {
          file: g.file,
          path: g.where,
        },
      );
    if (g.a.shape[0] !== T)
      throw new DataError(`lengths disagree: ${role} has ${g.a.shape[0]} entries, states has ${T}`, { file: g.file, path: g.where });
  }
  return { T, dim };
}

function withNpy(name: string): string {
  return name.endsWith('.npy') ? name : `${name}.npy`;
}
