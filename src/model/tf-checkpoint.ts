import { existsSync, readFileSync } from 'node:fs';
import crc32c from 'crc-32/crc32c.js';
import type protobufjs from 'protobufjs';
import { lazyRequire } from '../util/lazy-require.js';
import { guardReaderSync, weightsError } from './keras-model.js';
import { bf16, half } from './float16.js';
import { cachedRead } from './file-cache.js';

/**
 * A TensorFlow checkpoint (`tf.train.Saver` in TF1, `tf.train.Checkpoint` / Keras `save_weights` to
 * a prefix in TF2): a TensorBundle, tensorflow/core/util/tensor_bundle. `<prefix>.index` is a
 * LevelDB-format table (tensorflow/core/lib/io/table: blocks of prefix-compressed keys with
 * restart points, an index block, a 48-byte footer ending in the magic 0xdb4775248b80fb57) whose
 * empty key holds a BundleHeaderProto (the shard count) and every other key a variable's
 * BundleEntryProto (dtype, shape, shard, offset, size, masked crc32c); `<prefix>.data-NNNNN-of-NNNNN`
 * hold the raw little-endian values. Every handle, offset and size is checked against its file
 * before anything is read, and each tensor's crc32c against its bytes.
 */
export interface CheckpointTensor {
  name: string;
  dtype: string;
  shape: number[];
  /** Float tensors as float32, int64/int32 counters as numbers (exact below 2^53). */
  values: Float32Array | number[];
}

/** Tensorflow checkpoint: see below; whatever it throws ends as one ConfigError (guardReaderSync). */
export function readTfCheckpoint(prefix: string): CheckpointTensor[] {
  // Read once per unchanged index: a run asks for the layers, the weights and the slots (each crc32c-checked).
  return cachedRead(read, `${prefix}.index`, () =>
    guardReaderSync(prefix + '.index', 'TensorFlow checkpoint', 'network.weights', () => readTfCheckpointUnguarded(prefix)),
  );
}

const read = new Map<string, CheckpointTensor[]>();

/** The prefix a config names: `critic`, `critic.index` or one of its data shards all mean the checkpoint `critic`. */
export function checkpointPrefix(file: string): string | null {
  const prefix = file.replace(/\.(index|data-\d{5}-of-\d{5})$/, '');
  return existsSync(`${prefix}.index`) ? prefix : null;
}

function readTfCheckpointUnguarded(prefix: string): CheckpointTensor[] {
  const indexFile = `${prefix}.index`;
  const index = readBytes(indexFile);
  const entries = readTable(index, indexFile);
  const fail = (why: string): never => weightsError(indexFile, why);
  const headerBytes = entries.get('') ?? fail('no bundle header (the empty key): not a TensorFlow checkpoint index');
  const header = protos().Header.decode(headerBytes) as unknown as { numShards?: number; endianness?: number };
  const shards = header.numShards ?? 1;
  if (header.endianness) fail('a big-endian checkpoint: critic-doctor reads little-endian ones');
  if (shards < 1 || shards > 10_000) fail(`the header says ${shards} data shards`);
  const data = new Map<number, Uint8Array>();
  const out: CheckpointTensor[] = [];
  for (const [name, bytes] of entries) {
    if (name === '') continue;
    const e = protos().Entry.decode(bytes) as unknown as EntryFields;
    const kind = DTYPES[e.dtype ?? 0];
    if (!kind) continue; // strings (the object graph), resources, variants: not weights
    const shape = (e.shape?.dim ?? []).map((d) => Number(d.size ?? 0));
    const at = (why: string): never => fail(`${name}: ${why}`);
    if (e.slices?.length) at('a partitioned variable (slices) is not supported');
    const shard = e.shardId ?? 0;
    if (shard >= shards) at(`shard ${shard} of ${shards}`);
    const shardFile = `${prefix}.data-${pad(shard)}-of-${pad(shards)}`;
    if (!data.has(shard)) data.set(shard, readBytes(shardFile));
    const d = data.get(shard)!;
    const [offset, size] = [Number(e.offset ?? 0), Number(e.size ?? 0)];
    const count = shape.reduce((a, b) => a * b, 1);
    if (count * kind.bytes !== size) at(`[${shape}] of ${kind.name} is ${count * kind.bytes} bytes, the entry says ${size}`);
    if (offset < 0 || offset + size > d.length)
      weightsError(shardFile, `${name}: bytes [${offset}, ${offset + size}) run past the shard's ${d.length} bytes`);
    const raw = d.subarray(offset, offset + size);
    if (unmask(e.crc32c ?? 0) !== crc32c.buf(raw) >>> 0) weightsError(shardFile, `${name}: crc32c mismatch (the file is damaged)`);
    out.push({ name, dtype: kind.name, shape, values: kind.read(raw, count) });
  }
  return out;
}

function readBytes(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return weightsError(file, `cannot read the checkpoint: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

const pad = (n: number) => String(n).padStart(5, '0');

/** crc32c::Unmask: the bundle stores rot15(crc) + 0xa282ead8. */
function unmask(masked: number): number {
  const rot = (masked - 0xa282ead8) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}

interface EntryFields {
  dtype?: number;
  shape?: { dim?: { size?: number | { toNumber(): number } }[] };
  shardId?: number;
  offset?: number;
  size?: number;
  crc32c?: number;
  slices?: unknown[];
}

// tensorflow/core/protobuf/tensor_bundle.proto and tensor_shape.proto, the fields read here.
const PROTO = `
syntax = "proto3";
message TensorShapeProto { message Dim { int64 size = 1; string name = 2; } repeated Dim dim = 2; bool unknown_rank = 3; }
message VersionDef { int32 producer = 1; int32 min_consumer = 2; repeated int32 bad_consumers = 3; }
message BundleHeaderProto { int32 num_shards = 1; int32 endianness = 2; VersionDef version = 3; }
message TensorSliceProto { message Extent { int64 start = 1; int64 length = 2; } repeated Extent extent = 1; }
message BundleEntryProto {
  int32 dtype = 1; TensorShapeProto shape = 2; int32 shard_id = 3; int64 offset = 4; int64 size = 5;
  fixed32 crc32c = 6; repeated TensorSliceProto slices = 7;
}`;
let types: { Header: protobufjs.Type; Entry: protobufjs.Type } | undefined;

/** The two message types, parsed by protobufjs (loaded with the first checkpoint: util/lazy-require.ts). */
function protos(): { Header: protobufjs.Type; Entry: protobufjs.Type } {
  if (types) return types;
  const root = (lazyRequire('protobufjs') as typeof protobufjs).parse(PROTO, { keepCase: false }).root;
  return (types = { Header: root.lookupType('BundleHeaderProto'), Entry: root.lookupType('BundleEntryProto') });
}

/** tensorflow/core/framework/types.proto's DataType values read here. */
const DTYPES: Record<number, { name: string; bytes: number; read: (b: Uint8Array, n: number) => Float32Array | number[] }> = {
  1: { name: 'float32', bytes: 4, read: (b, n) => floats(b, n, 4, (v, o) => v.getFloat32(o, true)) },
  2: { name: 'float64', bytes: 8, read: (b, n) => floats(b, n, 8, (v, o) => v.getFloat64(o, true)) },
  3: { name: 'int32', bytes: 4, read: (b, n) => ints(b, n, 4, (v, o) => v.getInt32(o, true)) },
  9: { name: 'int64', bytes: 8, read: (b, n) => ints(b, n, 8, (v, o) => Number(v.getBigInt64(o, true))) },
  14: { name: 'bfloat16', bytes: 2, read: (b, n) => floats(b, n, 2, (v, o) => bf16(v.getUint16(o, true))) },
  19: { name: 'float16', bytes: 2, read: (b, n) => floats(b, n, 2, (v, o) => half(v.getUint16(o, true))) },
};

function floats(b: Uint8Array, n: number, size: number, get: (v: DataView, o: number) => number): Float32Array {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = get(v, i * size);
  return out;
}

function ints(b: Uint8Array, n: number, size: number, get: (v: DataView, o: number) => number): number[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: n }, (_, i) => get(v, i * size));
}

const MAGIC = 0xdb4775248b80fb57n;

/** Every key and value of a LevelDB-format table (uncompressed blocks, as the bundle writer makes them). */
function readTable(t: Uint8Array, file: string): Map<string, Uint8Array> {
  const fail = (why: string): never => weightsError(file, `not a readable checkpoint index: ${why}`);
  if (t.length < 48) fail(`${t.length} bytes, shorter than a table's 48-byte footer`);
  const view = new DataView(t.buffer, t.byteOffset, t.byteLength);
  if (view.getBigUint64(t.length - 8, true) !== MAGIC) fail('no table magic number at its end');
  const footer = new Cursor(t.subarray(t.length - 48, t.length - 8), fail);
  footer.handle(); // the metaindex block: nothing in it is needed
  const index = block(t, footer.handle(), fail);
  const out = new Map<string, Uint8Array>();
  for (const [, handle] of blockEntries(index, fail)) {
    const c = new Cursor(handle, fail);
    for (const [k, v] of blockEntries(block(t, c.handle(), fail), fail)) {
      if (out.size >= MAX_ENTRIES) fail(`more than ${MAX_ENTRIES} entries`);
      out.set(new TextDecoder().decode(k), v);
    }
  }
  return out;
}

const MAX_ENTRIES = 100_000;

/** A block's contents, its handle checked against the file; blocks are followed by a type byte and a crc. */
function block(t: Uint8Array, [offset, size]: [number, number], fail: (why: string) => never): Uint8Array {
  if (offset + size + 5 > t.length) fail(`a block [${offset}, ${offset + size}) runs past the file's ${t.length} bytes`);
  if (t[offset + size] !== 0) fail('a compressed block (the bundle writer stores them uncompressed)');
  return t.subarray(offset, offset + size);
}

/** A block's entries: shared-prefix length, unshared length, value length, key suffix, value; then the restart array. */
function blockEntries(b: Uint8Array, fail: (why: string) => never): [Uint8Array, Uint8Array][] {
  if (b.length < 4) fail('a block shorter than its restart count');
  const restarts = new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(b.length - 4, true);
  const end = b.length - 4 - 4 * restarts;
  if (restarts > b.length || end < 0) fail(`a block claims ${restarts} restart points`);
  const c = new Cursor(b.subarray(0, end), fail);
  const out: [Uint8Array, Uint8Array][] = [];
  let key = new Uint8Array(0);
  while (!c.done()) {
    const [shared, unshared, valueLength] = [c.varint(), c.varint(), c.varint()];
    if (shared > key.length) fail('a key shares more bytes than the key before it has');
    const next = new Uint8Array(shared + unshared);
    next.set(key.subarray(0, shared));
    next.set(c.bytes(unshared), shared);
    key = next;
    out.push([key, c.bytes(valueLength)]);
  }
  return out;
}

/** Varints and byte runs of a buffer, every read checked against its end. */
class Cursor {
  private at = 0;
  constructor(
    private readonly b: Uint8Array,
    private readonly fail: (why: string) => never,
  ) {}
  done(): boolean {
    return this.at >= this.b.length;
  }
  varint(): number {
    let v = 0;
    for (let shift = 0; shift < 53; shift += 7) {
      if (this.at >= this.b.length) this.fail('a varint runs past its block');
      const byte = this.b[this.at++]!;
      v += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return v;
    }
    return this.fail('a varint longer than 53 bits');
  }
  bytes(n: number): Uint8Array {
    if (this.at + n > this.b.length) this.fail(`${n} bytes run past their block`);
    const out = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  handle(): [number, number] {
    return [this.varint(), this.varint()];
  }
}
