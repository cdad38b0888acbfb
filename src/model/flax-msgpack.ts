import type * as Msgpack from '@msgpack/msgpack';
import { lazyRequire } from '../util/lazy-require.js';
import { isKnownError } from '../config/errors.js';
import { weightsError } from './keras-model.js';
import { bf16, half } from './float16.js';
import { ByteBudget, shapeBytes } from './model-budget.js';
import type { StateTensor } from './state-tensor.js';

/**
 * A Flax msgpack file (`flax.serialization.to_bytes(params)`, or of a TrainState): msgpack maps
 * whose array leaves are extension type 1 (flax's `_MsgpackExtType.ndarray`), each a nested
 * msgpack of (shape, dtype name, C-order bytes); type 3 a numpy scalar so packed; arrays over
 * 2³⁰ bytes split into `{__msgpack_chunked_array__, shape, chunks}` (flax/serialization.py).
 * The parameters are the `params` subtree (a TrainState's, or a variables dict's), else the
 * whole tree. Each Dense's `kernel` ([in, out]) is given torch's names and layout — `<path>.weight`
 * [out, in], `<path>.bias` — so a critic maps them as it maps a state_dict's (`Dense_0`,
 * `qf0/Dense_1`); other leaves keep their names (`<path>.scale`).
 */
export function readFlaxMsgpack(data: Uint8Array, file: string): StateTensor[] {
  const { decode } = msgpack();
  const budget = new ByteBudget(file);
  let root: unknown;
  try {
    root = decode(data, { extensionCodec: codec(file, budget) });
  } catch (e) {
    if (isKnownError(e)) throw e;
    return weightsError(file, `not a msgpack file flax wrote (${(e as Error).message.split('\n')[0]})`);
  }
  const params = paramsTree(root) ?? weightsError(file, 'a msgpack file without a map of arrays (flax.serialization.to_bytes(params))');
  const out: StateTensor[] = [];
  walk(params, [], 0, out, file);
  if (out.length === 0) weightsError(file, 'the msgpack file holds no float arrays under params');
  return out;
}

/** Whether `data` starts as a msgpack map with a string key (what flax writes); a pickle starts 0x80 then its protocol. */
export function isMsgpackMap(data: Uint8Array): boolean {
  const b = data[0] ?? 0;
  const header = b >= 0x81 && b <= 0x8f ? 1 : b === 0xde ? 3 : b === 0xdf ? 5 : 0;
  const k = data[header] ?? 0;
  return header > 0 && ((k >= 0xa0 && k <= 0xbf) || k === 0xd9 || k === 0xda || k === 0xdb);
}

/** A decoded array leaf: shape, numpy dtype name and its bytes (a view of the file). */
class FlaxArray {
  constructor(
    readonly shape: number[],
    readonly dtype: string,
    readonly bytes: Uint8Array,
  ) {}
}

const DTYPES: Record<string, { bytes: number; get: (v: DataView, o: number) => number }> = {
  float32: { bytes: 4, get: (v, o) => v.getFloat32(o, true) },
  float64: { bytes: 8, get: (v, o) => v.getFloat64(o, true) },
  float16: { bytes: 2, get: (v, o) => half(v.getUint16(o, true)) },
  bfloat16: { bytes: 2, get: (v, o) => bf16(v.getUint16(o, true)) },
};
const INTEGER_BYTES: Record<string, number> = { int8: 1, uint8: 1, int16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, bool: 1 };

/** @msgpack/msgpack, loaded with the first msgpack file (util/lazy-require.ts). */
const msgpack = () => lazyRequire('@msgpack/msgpack') as typeof Msgpack;

function codec(file: string, budget: ByteBudget): Msgpack.ExtensionCodec {
  const { decode, ExtensionCodec } = msgpack();
  const c = new ExtensionCodec();
  const array = (bytes: Uint8Array): FlaxArray => {
    const t = decode(bytes) as unknown;
    if (!Array.isArray(t) || t.length !== 3) return weightsError(file, 'an array leaf that is not (shape, dtype, bytes)');
    const [shape, dtypeRaw, raw] = t as [unknown, unknown, unknown];
    const dtype = dtypeRaw instanceof Uint8Array ? new TextDecoder().decode(dtypeRaw) : String(dtypeRaw);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0) || !(raw instanceof Uint8Array))
      return weightsError(file, `an array leaf of shape ${JSON.stringify(shape)} without its bytes`);
    const each =
      DTYPES[dtype]?.bytes ?? INTEGER_BYTES[dtype] ?? weightsError(file, `an array of dtype ${dtype}, not one critic-doctor reads`);
    const bytesNeeded = shapeBytes(shape as number[], each);
    if (bytesNeeded !== raw.length)
      weightsError(file, `an array [${shape as number[]}] of ${dtype} is ${bytesNeeded} bytes, its data ${raw.length}`);
    budget.take(`an array [${shape as number[]}] of ${dtype}`, (4 / each) * bytesNeeded);
    return new FlaxArray(shape as number[], dtype, raw);
  };
  c.register({ type: 1, encode: () => null, decode: array });
  c.register({ type: 3, encode: () => null, decode: array });
  return c;
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof FlaxArray) && !(v instanceof Uint8Array);

/** The parameters: a TrainState's `params` (itself maybe a variables dict's `{params: …}`), else the whole tree. */
function paramsTree(root: unknown): Record<string, unknown> | null {
  if (!isMap(root)) return null;
  let p: Record<string, unknown> = root;
  for (let i = 0; i < 2 && isMap(p.params); i++) p = p.params as Record<string, unknown>;
  return p;
}

const MAX_DEPTH = 64;

function walk(node: unknown, at: string[], depth: number, out: StateTensor[], file: string): void {
  if (depth > MAX_DEPTH) weightsError(file, `maps nested more than ${MAX_DEPTH} deep at ${at.join('/')}`);
  if (!isMap(node)) return;
  if (node.__msgpack_chunked_array__ === true) return leaf(unchunk(node, at, file), at, out);
  for (const [key, v] of Object.entries(node)) {
    if (v instanceof FlaxArray) leaf(v, [...at, key], out);
    else walk(v, [...at, key], depth + 1, out, file);
  }
}

/** One float leaf: a Dense kernel [in, out] as torch's `<path>.weight` [out, in]; anything else as `<path>.<leaf>`. */
function leaf(a: FlaxArray, at: string[], out: StateTensor[]): void {
  const read = DTYPES[a.dtype];
  if (!read) return; // integer leaves: counters, never parameters
  const n = a.bytes.length / read.bytes;
  const view = new DataView(a.bytes.buffer, a.bytes.byteOffset, a.bytes.byteLength);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = read.get(view, i * read.bytes);
  const name = at.slice(0, -1).join('/');
  const last = at[at.length - 1]!;
  if (last === 'kernel' && a.shape.length === 2) {
    const [I, U] = a.shape as [number, number];
    const t = new Float32Array(n);
    for (let i = 0; i < I; i++) for (let u = 0; u < U; u++) t[u * I + i] = values[i * U + u]!;
    out.push({ name: `${name}.weight`, shape: [U, I], values: t });
  } else out.push({ name: name ? `${name}.${last}` : last, shape: a.shape, values });
}

/** flax's `_unchunk`: the chunks, flat, in order, as one array of `shape`. */
function unchunk(node: Record<string, unknown>, at: string[], file: string): FlaxArray {
  const fail = (why: string): never => weightsError(file, `${at.join('/')}: a chunked array ${why}`);
  const shapeMap = isMap(node.shape) ? node.shape : fail('without its shape');
  const chunksMap = isMap(node.chunks) ? node.chunks : fail('without its chunks');
  const shape = Object.keys(shapeMap).map((_, i) => shapeMap[String(i)]);
  if (!shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) fail(`of shape ${JSON.stringify(shape)}`);
  const chunks = Object.keys(chunksMap).map((_, i) => chunksMap[String(i)]);
  if (!chunks.every((c) => c instanceof FlaxArray) || chunks.length === 0) fail('whose chunks are not arrays');
  const parts = chunks as FlaxArray[];
  const dtype = parts[0]!.dtype;
  if (parts.some((p) => p.dtype !== dtype)) fail('of chunks of several dtypes');
  const total = parts.reduce((s, p) => s + p.bytes.length, 0);
  if (shapeBytes(shape as number[], DTYPES[dtype]?.bytes ?? 1) !== total)
    fail(`of shape [${shape as number[]}] with ${total} bytes of chunks`);
  const bytes = new Uint8Array(total);
  let o = 0;
  for (const p of parts) bytes.set(p.bytes, (o += p.bytes.length) - p.bytes.length);
  return new FlaxArray(shape as number[], dtype, bytes);
}
