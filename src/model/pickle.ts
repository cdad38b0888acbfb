import { weightsError } from './keras-model.js';

/**
 * A pickle machine that reads pickles as data, never as a program: what PyTorch files hold — a
 * state_dict, a whole pickled module (`torch.save(model)`), a TorchScript archive's data.pkl.
 * Every class or function the pickle names becomes an inert record (`Global`, and `Inert` for an
 * object it builds or a call it asks for): nothing is imported, looked up, called or executed.
 * The only callables interpreted are torch's own tensor rebuilders (`torch._utils._rebuild_tensor_v2`,
 * `_rebuild_parameter`) and `collections.OrderedDict`, each by what it is known to return; a call
 * of `os.system` stays a record saying so. Protocols 2 to 5's binary opcodes; the stack, memo and
 * containers grow only with the file (each opcode takes at least a byte of it).
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
/**
 * An object the pickle builds (NEWOBJ: a module of class `cls`, its attributes in `state` after
 * BUILD) or a call it asks for (REDUCE of any other global: `called`), kept as data and never made.
 */
export class Inert {
  state: unknown;
  constructor(
    readonly cls: string,
    readonly args: unknown,
    readonly called: boolean,
  ) {}
}
const MARK = Symbol('mark');

/** The callables whose result is known and taken as data: torch's tensor rebuilders, OrderedDict. */
const REBUILD_TENSOR = 'torch._utils _rebuild_tensor_v2';
const REBUILD_PARAMETER = new Set(['torch._utils _rebuild_parameter', 'torch._utils _rebuild_parameter_with_state']);
const ORDERED_DICT = 'collections OrderedDict';

/** A whole pickle, as data. */
export function unpickle(data: Uint8Array, file: string): unknown {
  return unpickleAt(data, file, 0).value;
}

/** One pickle of several in a row (torch.save's legacy format), from byte `start`; `end` is just past its STOP. */
export function unpickleAt(data: Uint8Array, file: string, start: number): { value: unknown; end: number } {
  const m = new Unpickler(data, file);
  m.i = start;
  for (;;) {
    if (m.i >= data.length) m.fail('ends before its STOP');
    const op = data[m.i++]!;
    if (op === 0x2e) return { value: m.stack.pop(), end: m.i }; // STOP
    if (!(m.scalars(op) || m.bytes(op) || m.memos(op) || m.containers(op) || m.calls(op)))
      m.fail(`opcode 0x${op.toString(16)} at byte ${m.i - 1} is not one critic-doctor reads`);
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
    return this.text.decode(this.take(n));
  }

  /** The next n bytes, checked against the file's end first (a length field may claim anything). */
  private take(n: number): Uint8Array {
    if (n > this.data.length - this.i) this.fail(`a ${n}-byte string at byte ${this.i} runs past the end of the pickle`);
    this.i += n;
    return this.data.subarray(this.i - n, this.i);
  }

  private u64(): number {
    this.i += 8;
    const n = this.view.getBigUint64(this.i - 8, true);
    return n > BigInt(this.data.length) ? this.data.length + 1 : Number(n);
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

  /** Byte strings (protocol 3 on) and protocol 4's 8-byte-length strings, as views of the file. */
  bytes(op: number): boolean {
    const s = this.stack;
    if (op === 0x42)
      s.push(this.take(this.u32())); // BINBYTES
    else if (op === 0x43)
      s.push(this.take(this.u8())); // SHORT_BINBYTES
    else if (op === 0x8e)
      s.push(this.take(this.u64())); // BINBYTES8
    else if (op === 0x8d)
      s.push(this.text.decode(this.take(this.u64()))); // BINUNICODE8
    else return false;
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
    } else if (op === 0x62) {
      // BUILD: an object's state (a module's attributes) kept on its record; on anything else dropped (an OrderedDict's _metadata).
      const state = s.pop();
      const obj = s.at(-1);
      if (obj instanceof Inert) obj.state = state;
    } else if (op === 0x8f)
      s.push([]); // EMPTY_SET, as a list
    else if (op === 0x90) {
      const items = this.popMark();
      (s.at(-1) as unknown[]).push(...items); // ADDITEMS
    } else if (op === 0x91)
      s.push(this.popMark()); // FROZENSET
    else if (op === 0x30)
      s.pop(); // POP
    else if (op === 0x31)
      this.popMark(); // POP_MARK
    else if (op === 0x32)
      s.push(s.at(-1)); // DUP
    else return false;
    return true;
  }

  /**
   * GLOBAL and STACK_GLOBAL (a name, never looked up), NEWOBJ (an inert object), BINPERSID (a
   * storage) and REDUCE: torch's rebuilders and OrderedDict by their known results, anything else
   * an inert record of the call it would have made.
   */
  calls(op: number): boolean {
    const s = this.stack;
    if (op === 0x63) s.push(new Global(`${this.line()} ${this.line()}`));
    else if (op === 0x93) {
      const name = s.pop();
      const module = s.pop();
      s.push(new Global(`${String(module)} ${String(name)}`)); // STACK_GLOBAL
    } else if (op === 0x81 || op === 0x92) {
      // NEWOBJ cls.__new__(cls, *args); NEWOBJ_EX with kwargs too: a record of the class, never made.
      if (op === 0x92) s.pop();
      const args = s.pop();
      const cls = s.pop();
      s.push(new Inert(cls instanceof Global ? cls.name : '?', args, false));
    } else if (op === 0x51) {
      // ('storage', StorageClass, key, location, numel), and a view's metadata (None) in the legacy format.
      const id = s.pop() as unknown[];
      // The legacy format names a module's class as ('module', class, source file, source): the class, as a name.
      if (Array.isArray(id) && id[0] === 'module') {
        s.push(id[1] instanceof Global ? id[1] : new Global('?'));
        return true;
      }
      if (!Array.isArray(id) || id[0] !== 'storage' || !(id[1] instanceof Global)) this.fail('a persistent id that is not a storage');
      s.push(new Storage((id[1] as Global).name.split(' ')[1]!, String(id[2])));
    } else if (op === 0x52) {
      const args = s.pop() as unknown[];
      const f = s.pop();
      s.push(this.reduce(f instanceof Global ? f.name : '?', args));
    } else return false;
    return true;
  }

  private reduce(name: string, args: unknown[]): unknown {
    if (name === ORDERED_DICT) return new Map();
    if (name === REBUILD_TENSOR) {
      const [storage, offset, shape, stride] = args as [Storage, number, number[], number[]];
      if (!(storage instanceof Storage) || !Array.isArray(shape) || !Array.isArray(stride) || !Number.isSafeInteger(offset) || offset < 0)
        this.fail('a tensor rebuilt without a storage, offset, shape and strides');
      if (shape.length !== stride.length || ![...shape, ...stride].every((d) => Number.isSafeInteger(d) && d >= 0))
        this.fail(`a tensor of shape [${String(shape)}] and strides [${String(stride)}]`);
      return new PickledTensor(storage, offset, shape, stride);
    }
    // nn.Parameter(tensor, requires_grad): the tensor is what a reader wants.
    if (REBUILD_PARAMETER.has(name) && Array.isArray(args) && args[0] instanceof PickledTensor) return args[0];
    return new Inert(name, args, true);
  }
}
