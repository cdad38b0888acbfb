import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { ConfigError } from '../config/errors.js';

/** A ConfigError on `network.weights` naming the file. */
function weightsError(file: string, why: string): never {
  throw new ConfigError(why, { file, path: 'network.weights' });
}

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

class Global {
  constructor(readonly name: string) {}
}
class Storage {
  constructor(
    readonly kind: string,
    readonly key: string,
  ) {}
}
class Tensor {
  constructor(
    readonly storage: Storage,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}
const MARK = Symbol('mark');

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
  const root = unpickle(entries[pkl]!, file);
  if (!(root instanceof Map)) weightsError(file, 'the pickle is not a dict of tensors: save critic.state_dict(), not the module');
  const out: StateTensor[] = [];
  for (const [name, t] of root as Map<unknown, unknown>) {
    if (!(t instanceof Tensor)) weightsError(file, `${String(name)} is not a tensor`);
    const tensor = t as Tensor;
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

/** The pickle machine: protocol 2 to 4 opcodes a state_dict uses, and nothing that runs code. */
function unpickle(data: Uint8Array, file: string): unknown {
  const m = new Unpickler(data, file);
  for (;;) {
    if (m.i >= data.length) m.fail('ends before its STOP');
    const op = data[m.i++]!;
    if (op === 0x2e) return m.stack.pop(); // STOP
    if (!(m.scalars(op) || m.memos(op) || m.containers(op) || m.calls(op)))
      m.fail(`opcode 0x${op.toString(16)} at byte ${m.i - 1} is not one a state_dict uses`);
  }
}

class Unpickler {
  i = 0;
  readonly stack: unknown[] = [];
  private readonly memo = new Map<number, unknown>();
  private readonly view: DataView;
  private readonly text = new TextDecoder();

  constructor(
    private readonly data: Uint8Array,
    private readonly file: string,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  fail(why: string): never {
    return weightsError(this.file, `data.pkl: ${why}`);
  }

  private u8(): number {
    return this.data[this.i++]!;
  }

  private u32(): number {
    this.i += 4;
    return this.view.getUint32(this.i - 4, true);
  }

  private str(n: number): string {
    this.i += n;
    return this.text.decode(this.data.subarray(this.i - n, this.i));
  }

  private line(): string {
    const end = this.data.indexOf(0x0a, this.i);
    if (end < 0) this.fail('a GLOBAL without its newline');
    const s = this.str(end - this.i);
    this.i++; // the newline
    return s;
  }

  private popMark(): unknown[] {
    const at = this.stack.lastIndexOf(MARK);
    if (at < 0) this.fail('a mark is missing');
    return this.stack.splice(at).slice(1);
  }

  /** Framing, numbers, strings, booleans, None. */
  scalars(op: number): boolean {
    const s = this.stack;
    const v = this.view;
    if (op === 0x80)
      this.i++; // PROTO
    else if (op === 0x95)
      this.i += 8; // FRAME
    else if (op === 0x58)
      s.push(this.str(this.u32())); // BINUNICODE
    else if (op === 0x8c)
      s.push(this.str(this.u8())); // SHORT_BINUNICODE
    else if (op === 0x4b)
      s.push(this.u8()); // BININT1
    else if (op === 0x4d)
      s.push(v.getUint16((this.i += 2) - 2, true)); // BININT2
    else if (op === 0x4a)
      s.push(v.getInt32((this.i += 4) - 4, true)); // BININT
    else if (op === 0x47)
      s.push(v.getFloat64((this.i += 8) - 8, false)); // BINFLOAT
    else if (op === 0x88 || op === 0x89)
      s.push(op === 0x88); // NEWTRUE, NEWFALSE
    else if (op === 0x4e)
      s.push(null); // NONE
    else if (op === 0x8a) {
      // LONG1: little-endian two's complement of n bytes
      const n = this.u8();
      let x = 0n;
      for (let k = n - 1; k >= 0; k--) x = (x << 8n) | BigInt(this.data[this.i + k]!);
      if (n > 0 && this.data[this.i + n - 1]! & 0x80) x -= 1n << BigInt(8 * n);
      this.i += n;
      s.push(Number(x));
    } else return false;
    return true;
  }

  /** The memo: BINPUT, LONG_BINPUT, MEMOIZE, BINGET, LONG_BINGET. */
  memos(op: number): boolean {
    const top = this.stack.at(-1);
    if (op === 0x71) this.memo.set(this.u8(), top);
    else if (op === 0x72) this.memo.set(this.u32(), top);
    else if (op === 0x94) this.memo.set(this.memo.size, top);
    else if (op === 0x68) this.stack.push(this.memo.get(this.u8()));
    else if (op === 0x6a) this.stack.push(this.memo.get(this.u32()));
    else return false;
    return true;
  }

  /** Marks, tuples, lists, dicts and their items; BUILD (a state_dict's _metadata attribute) is dropped. */
  containers(op: number): boolean {
    const s = this.stack;
    if (op === 0x28) s.push(MARK);
    else if (op === 0x29 || op === 0x5d)
      s.push([]); // EMPTY_TUPLE, EMPTY_LIST
    else if (op === 0x7d)
      s.push(new Map()); // EMPTY_DICT
    else if (op === 0x74)
      s.push(this.popMark()); // TUPLE
    else if (op >= 0x85 && op <= 0x87)
      s.push(s.splice(s.length - (op - 0x84))); // TUPLE1..3
    else if (op === 0x73) {
      const value = s.pop();
      const key = s.pop();
      (s.at(-1) as Map<unknown, unknown>).set(key, value); // SETITEM
    } else if (op === 0x75) {
      const items = this.popMark();
      const d = s.at(-1) as Map<unknown, unknown>;
      for (let k = 0; k < items.length; k += 2) d.set(items[k], items[k + 1]); // SETITEMS
    } else if (op === 0x61)
      (s.at(-2) as unknown[]).push(s.pop()); // APPEND
    else if (op === 0x65) {
      const items = this.popMark();
      (s.at(-1) as unknown[]).push(...items); // APPENDS
    } else if (op === 0x62)
      s.pop(); // BUILD
    else return false;
    return true;
  }

  /** GLOBAL (only the allowed names), BINPERSID (a storage) and REDUCE (only the two calls a state_dict makes). */
  calls(op: number): boolean {
    const s = this.stack;
    if (op === 0x63) {
      const name = `${this.line()} ${this.line()}`;
      if (!ALLOWED.has(name)) {
        const module = /^torch\.nn\.|^__main__ /.test(name) ? ' (a pickled module: save critic.state_dict() or export ONNX)' : '';
        this.fail(`names ${name.replace(' ', '.')}, which a state_dict does not use${module}; nothing in the file is run`);
      }
      s.push(new Global(name));
    } else if (op === 0x51) {
      // ('storage', StorageClass, key, location, numel)
      const id = s.pop() as unknown[];
      if (!Array.isArray(id) || id[0] !== 'storage' || !(id[1] instanceof Global)) this.fail('a persistent id that is not a storage');
      s.push(new Storage((id[1] as Global).name.split(' ')[1]!, String(id[2])));
    } else if (op === 0x52) {
      const args = s.pop() as unknown[];
      const f = s.pop();
      if (!(f instanceof Global)) this.fail('calls something that is not a known global');
      if ((f as Global).name === 'collections OrderedDict') s.push(new Map());
      else {
        const [storage, offset, shape, stride] = args as [Storage, number, number[], number[]];
        if (!(storage instanceof Storage)) this.fail('a tensor without a storage');
        s.push(new Tensor(storage, offset, shape, stride));
      }
    } else return false;
    return true;
  }
}
