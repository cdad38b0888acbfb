import { weightsError } from './keras-model.js';

/**
 * A pickle machine for the one thing critic-doctor reads pickles for, a PyTorch state_dict:
 * protocol 2 to 4 opcodes for numbers, strings, tuples, lists, dicts and the memo; GLOBAL only for
 * the names the caller allows; REDUCE only to make an OrderedDict or rebuild a tensor from a
 * storage (`torch._utils._rebuild_tensor_v2`); BINPERSID only for storages. Nothing is imported,
 * called or executed: anything else is an error naming it.
 */

export class Global {
  constructor(readonly name: string) {}
}
export class Storage {
  constructor(
    readonly kind: string,
    readonly key: string,
  ) {}
}
export class PickledTensor {
  constructor(
    readonly storage: Storage,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}
const MARK = Symbol('mark');

/** The pickle machine: protocol 2 to 4 opcodes a state_dict uses, and nothing that runs code. */
export function unpickle(data: Uint8Array, file: string, allowed: ReadonlySet<string>): unknown {
  return unpickleAt(data, file, allowed, 0).value;
}

/** One pickle of several in a row (torch.save's legacy format), from byte `start`; `end` is just past its STOP. */
export function unpickleAt(data: Uint8Array, file: string, allowed: ReadonlySet<string>, start: number): { value: unknown; end: number } {
  const m = new Unpickler(data, file, allowed);
  m.i = start;
  for (;;) {
    if (m.i >= data.length) m.fail('ends before its STOP');
    const op = data[m.i++]!;
    if (op === 0x2e) return { value: m.stack.pop(), end: m.i }; // STOP
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
    private readonly allowed: ReadonlySet<string>,
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
      if (!this.allowed.has(name)) {
        const module = /^torch\.nn\.|^__main__ /.test(name) ? ' (a pickled module: save critic.state_dict() or export ONNX)' : '';
        this.fail(`names ${name.replace(' ', '.')}, which a state_dict does not use${module}; nothing in the file is run`);
      }
      s.push(new Global(name));
    } else if (op === 0x51) {
      // ('storage', StorageClass, key, location, numel), and a view's metadata (None) in the legacy format
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
        s.push(new PickledTensor(storage, offset, shape, stride));
      }
    } else return false;
    return true;
  }
}
