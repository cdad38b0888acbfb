import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { weightsError } from './keras-model.js';
import { PickledTensor, unpickle } from './pickle.js';

/**
 * A PyTorch `state_dict` saved with `torch.save` (the zip format: `<name>/data.pkl` and one file
 * per storage under `<name>/data/`), read by a pickle machine that knows only what a state_dict
 * uses: an OrderedDict of tensors rebuilt by `torch._utils._rebuild_tensor_v2` from storages
 * (dtype, offset, shape, strides). Nothing in the file is executed: any other global (a pickled
 * module's class, say) is refused, not resolved.
 */
export interface StateTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

const STORAGES: Record<string, { bytes: number; read: (v: DataView, o: number) => number }> = {
  FloatStorage: { bytes: 4, read: (v, o) => v.getFloat32(o, true) },
  DoubleStorage: { bytes: 8, read: (v, o) => v.getFloat64(o, true) },
  HalfStorage: { bytes: 2, read: (v, o) => half(v.getUint16(o, true)) },
  LongStorage: { bytes: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  IntStorage: { bytes: 4, read: (v, o) => v.getInt32(o, true) },
};

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** The globals a state_dict's pickle names; anything else is refused. */
const ALLOWED = new Set(['collections OrderedDict', 'torch._utils _rebuild_tensor_v2', ...Object.keys(STORAGES).map((s) => `torch ${s}`)]);

export function readStateDict(file: string): StateTensor[] {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(readFileSync(file));
  } catch (e) {
    return weightsError(file, `not a torch.save zip archive (${(e as Error).message}); save with torch.save(critic.state_dict(), path)`);
  }
  const pkl = Object.keys(entries).find((n) => n.endsWith('/data.pkl') || n === 'data.pkl');
  if (!pkl) return weightsError(file, 'no data.pkl in the archive: not a file torch.save wrote');
  const prefix = pkl.slice(0, -'data.pkl'.length);
  const root = unpickle(entries[pkl]!, file, ALLOWED);
  if (!(root instanceof Map)) weightsError(file, 'the pickle is not a dict of tensors: save critic.state_dict(), not the module');
  const out: StateTensor[] = [];
  for (const [name, t] of root as Map<unknown, unknown>) {
    if (!(t instanceof PickledTensor)) weightsError(file, `${String(name)} is not a tensor`);
    const tensor = t as PickledTensor;
    const kind = STORAGES[tensor.storage.kind]!;
    const bytes =
      entries[`${prefix}data/${tensor.storage.key}`] ?? weightsError(file, `storage ${tensor.storage.key} of ${String(name)} is missing`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = tensor.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    // Strided: element (i, j, …) sits at offset + Σ index·stride of the storage.
    for (let k = 0; k < n; k++) {
      let rest = k;
      let at = tensor.offset;
      for (let d = tensor.shape.length - 1; d >= 0; d--) {
        at += (rest % tensor.shape[d]!) * tensor.stride[d]!;
        rest = Math.floor(rest / tensor.shape[d]!);
      }
      if ((at + 1) * kind.bytes > bytes.byteLength) weightsError(file, `${String(name)} reaches past its storage`);
      values[k] = kind.read(view, at * kind.bytes);
    }
    out.push({ name: String(name), shape: tensor.shape, values });
  }
  return out;
}
