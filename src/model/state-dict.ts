import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { zipDirectoryProblem } from '../util/zip-directory.js';
import { guardReaderSync, weightsError } from './keras-model.js';
import { PickledTensor, unpickle, unpickleAt } from './pickle.js';
import { pickledTensors } from './pickled-module.js';
import { isMsgpackMap, readFlaxMsgpack } from './flax-msgpack.js';
import { bf16, half } from './float16.js';
import { ByteBudget, checkDeclaredBytes } from './model-budget.js';
import { isKnownError } from '../config/errors.js';
import { isSafetensors, readSafetensors } from './safetensors.js';
import type { StateTensor } from './state-tensor.js';
import { wrongKey } from './model-format.js';
import { cachedRead } from './file-cache.js';

/**
 * PyTorch weights saved with `torch.save` — a `state_dict`, a whole module (`torch.save(critic)`)
 * or a TorchScript archive (`torch.jit.script(critic).save`); the zip format (`<name>/data.pkl`,
 * one file per storage under `<name>/data/`), the legacy format of torch < 1.6 (pickles in a row),
 * or a Stable-Baselines3 save holding one as `policy.pth` — read by a pickle machine that takes the
 * pickle as data (model/pickle.ts): classes stay names, only torch's tensor rebuilders are
 * interpreted, nothing in the file is executed. A module's tensors are named by their module path
 * (model/pickled-module.ts). safetensors and Flax msgpack files are read here too, by their bytes.
 */
export type { StateTensor } from './state-tensor.js';

const STORAGES: Record<string, { bytes: number; read: (v: DataView, o: number) => number }> = {
  FloatStorage: { bytes: 4, read: (v, o) => v.getFloat32(o, true) },
  DoubleStorage: { bytes: 8, read: (v, o) => v.getFloat64(o, true) },
  HalfStorage: { bytes: 2, read: (v, o) => half(v.getUint16(o, true)) },
  BFloat16Storage: { bytes: 2, read: (v, o) => bf16(v.getUint16(o, true)) },
  LongStorage: { bytes: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  IntStorage: { bytes: 4, read: (v, o) => v.getInt32(o, true) },
};

/** A weights file (see above); whatever it throws ends as one ConfigError (guardReaderSync). */
export function readStateDict(file: string): StateTensor[] {
  // Read once per unchanged file: a run asks for the layers, the weights and the target networks.
  return cachedRead(read, file, () => {
    // A whole model (a Keras file, an ONNX export, a model.json) under network.weights: say where it goes.
    const wrong = wrongKey(file, 'network.weights');
    if (wrong) weightsError(file, wrong);
    return guardReaderSync(
      file,
      'weights file (state_dict, module, TorchScript, SB3 zip, safetensors or Flax msgpack)',
      'network.weights',
      () => readStateDictUnguarded(file),
    );
  });
}

const read = new Map<string, StateTensor[]>();

function readStateDictUnguarded(file: string): StateTensor[] {
  let data: Uint8Array;
  try {
    data = readFileSync(file);
  } catch (e) {
    return weightsError(
      file,
      `cannot read the state_dict: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
    );
  }
  return stateDictOf(data, file);
}

function stateDictOf(data: Uint8Array, file: string): StateTensor[] {
  // safetensors (save_file(critic.state_dict(), …)): the same names and [out, in] layout, no pickle.
  if (isSafetensors(data)) return readSafetensors(data, file);
  // Flax's msgpack (flax.serialization.to_bytes(params) or of a TrainState): kernels given torch's names and layout.
  if (isMsgpackMap(data)) return readFlaxMsgpack(data, file);
  // A zip starts "PK"; torch.save's legacy format (before 1.6, or _use_new_zipfile_serialization=False) with a pickle's PROTO.
  const read = data[0] === 0x80 ? readLegacy(data, file) : readZip(data, file);
  if ('inner' in read) return stateDictOf(read.inner, file);
  const { tensors, storages } = read;
  const out: StateTensor[] = [];
  for (const [name, tensor] of tensors) {
    const kind =
      STORAGES[tensor.storage.kind] ?? weightsError(file, `${name}: a ${tensor.storage.kind} is not a storage critic-doctor reads`);
    const bytes = storages(tensor.storage.key) ?? weightsError(file, `storage ${tensor.storage.key} of ${String(name)} is missing`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = tensor.shape.reduce((a, b) => a * b, 1);
    // What the pickle declares, checked before anything is allocated: the size, and the last element's place in the storage.
    checkDeclaredBytes(file, `${String(name)} of shape [${tensor.shape}]`, 4 * n);
    const last = tensor.shape.reduce((at, d, i) => at + Math.max(0, d - 1) * tensor.stride[i]!, tensor.offset);
    if (n > 0 && (last + 1) * kind.bytes > bytes.byteLength)
      weightsError(file, `${String(name)} of shape [${tensor.shape}] reaches past its storage (${bytes.byteLength} bytes)`);
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

type Read = { tensors: [string, PickledTensor][]; storages: (key: string) => Uint8Array | undefined };

/**
 * The zip format: `<name>/data.pkl`, each storage a file `<name>/data/<key>`. Or a
 * Stable-Baselines3 save (`model.save()`'s zip, save_util.py): its `policy.pth`, itself a
 * torch.save file of the policy's state_dict, is read (`inner`).
 */
function readZip(data: Uint8Array, file: string): Read | { inner: Uint8Array } {
  let entries: Record<string, Uint8Array>;
  const lie = zipDirectoryProblem(data);
  if (lie) weightsError(file, `not a torch.save zip archive: ${lie}`);
  try {
    // Each member's inflated size as the archive declares it, counted before fflate allocates it.
    const budget = new ByteBudget(file);
    entries = unzipSync(data, { filter: (m) => (budget.take(m.name, m.originalSize, 'inflates to'), true) });
  } catch (e) {
    if (isKnownError(e)) throw e;
    return weightsError(file, `not a torch.save zip archive (${(e as Error).message}); save with torch.save(critic.state_dict(), path)`);
  }
  const pkl = Object.keys(entries).find((n) => n.endsWith('/data.pkl') || n === 'data.pkl');
  if (!pkl && entries['policy.pth']) return { inner: entries['policy.pth'] };
  if (!pkl) return weightsError(file, 'no data.pkl in the archive (nor a Stable-Baselines3 policy.pth): not a file torch.save wrote');
  const prefix = pkl.slice(0, -'data.pkl'.length);
  return { tensors: pickledTensors(unpickle(entries[pkl]!, file), file), storages: (key) => entries[`${prefix}data/${key}`] };
}

/** torch's legacy magic number, the first of the format's pickles. */
const LEGACY_MAGIC = Number(0x1950a86a20f9469cfc6cn);

/**
 * The legacy format (torch/serialization.py's `_legacy_save`): pickles of the magic number, the
 * protocol version (1001) and sys_info (little-endian, type sizes), then the state_dict (storages
 * as persistent ids), then the list of storage keys; then each storage in that order as an 8-byte
 * little-endian element count and its raw bytes.
 */
function readLegacy(data: Uint8Array, file: string): Read {
  let at = 0;
  const next = () => {
    const r = unpickleAt(data, file, at);
    at = r.end;
    return r.value;
  };
  if (next() !== LEGACY_MAGIC) weightsError(file, 'not a file torch.save wrote (no zip archive, no legacy magic number)');
  const protocol = next();
  if (protocol !== 1001) weightsError(file, `torch.save's legacy format, protocol ${String(protocol)} (only 1001 is read)`);
  const info = next() as Map<unknown, unknown>;
  if (!(info instanceof Map) || info.get('little_endian') !== true) weightsError(file, 'a big-endian legacy torch.save file is not read');
  const tensors = pickledTensors(next(), file);
  const keys = next();
  if (!Array.isArray(keys)) weightsError(file, 'the legacy format without its list of storages');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const storages = new Map<string, Uint8Array>();
  const size = (t: PickledTensor) =>
    STORAGES[t.storage.kind]?.bytes ?? weightsError(file, `a ${t.storage.kind} is not a storage critic-doctor reads`);
  const sizes = new Map(tensors.map(([, t]) => [t.storage.key, size(t)]));
  for (const key of keys as unknown[]) {
    if (at + 8 > data.length) weightsError(file, `the file ends before storage ${String(key)}`);
    const count = Number(view.getBigInt64(at, true));
    const bytes = count * (sizes.get(String(key)) ?? weightsError(file, `storage ${String(key)} is not one the state_dict uses`));
    if (at + 8 + bytes > data.length) weightsError(file, `the file ends inside storage ${String(key)}`);
    storages.set(String(key), data.subarray(at + 8, at + 8 + bytes));
    at += 8 + bytes;
  }
  return { tensors, storages: (key) => storages.get(key) };
}
