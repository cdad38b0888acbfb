import { tf } from '../util/tfjs.js';
import { KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64 } from './wasm/kernels-binary.js';
import { MatmulPool } from './matmul-pool.js';
import { transcendentalRange } from './transcendental.js';

/**
 * Our WebAssembly SIMD kernels (sources in assembly/, one file per kernel family). The module
 * imports its memory and touches only the addresses it is given, so it is instantiated twice per
 * thread at most:
 * - on the tfjs-wasm heap itself (`backend.wasm.asm.memory`): a kernel reads its inputs and writes
 *   its outputs where the tensors already are, no copy either way;
 * - on a memory of its own, for arrays that live elsewhere (the cpu backend's, tests'): inputs are
 *   copied in, outputs out, and that memory grows only to the largest call's working set.
 */
interface Exports {
  matmul(a: number, b: number, c: number, M: number, K: number, N: number, sam: number, sak: number): void;
  transpose(src: number, dst: number, R: number, C: number): void;
  stats(p: number, n: number, thr: number, out: number): void;
  statsMany(table: number, count: number, out: number): void;
  denseForward(...args: number[]): void;
  denseBackward(...args: number[]): void;
  addInto(a: number, b: number, n: number): void;
  eigenSumSq(t: number, first: number, n: number, half: number): number;
  clipScale(g: number, out: number, n: number, c: number, den: number): void;
  scaleBy(g: number, out: number, n: number, s: number): void;
  rmsprop(...args: number[]): void;
  adam(...args: number[]): void;
  sgd(...args: number[]): void;
  subtract(a: number, b: number, out: number, n: number): void;
  bootstrapTarget(partial: number, discount: number, vNext: number, target: number, n: number): void;
  mse(target: number, v: number, error: number, loss: number, dv: number, n: number, invN: number): void;
  huber(target: number, v: number, error: number, loss: number, dv: number, n: number, delta: number): void;
  returnNormalize(t: number, out: number, n: number, eps: number): void;
  normForward(...args: number[]): void;
  normBackward(...args: number[]): void;
  movingAverage(m: number, s: number, out: number, n: number, mu: number, oneMinusMu: number): void;
  activate(pre: number, act: number, n: number, code: number, alpha: number): void;
  activateBackward(...args: number[]): void;
}

let module: WebAssembly.Module | null | undefined;
let sharedModule: WebAssembly.Module | null | undefined;

function kernelModule(): WebAssembly.Module | undefined {
  if (module === undefined) {
    try {
      module = new WebAssembly.Module(Uint8Array.from(Buffer.from(KERNELS_WASM_BASE64, 'base64')));
    } catch {
      module = null; // no WebAssembly SIMD here: callers use the JS kernels and tfjs's matmul
    }
  }
  return module ?? undefined;
}

/** The shared-memory build, for two threads on one memory; undefined where threads are not available. */
export function sharedKernelModule(): WebAssembly.Module | undefined {
  if (sharedModule === undefined) {
    try {
      sharedModule = new WebAssembly.Module(Uint8Array.from(Buffer.from(KERNELS_SHARED_WASM_BASE64, 'base64')));
    } catch {
      sharedModule = null;
    }
  }
  return sharedModule ?? undefined;
}

let splitProducts = 0;

/** How many products were split over two threads so far (tests: that the two-thread path ran). */
export function splitProductCount(): number {
  return splitProducts;
}

/** A product worth splitting between two threads: about 1 MFLOP or more (a 64 × 64 × 128 product). */
const PARALLEL_FLOPS = 1 << 20;
/** An activation worth splitting: 8 Ki entries or more (Math.exp ~8 ns an entry here; a split costs ~20 µs). */
const PARALLEL_ACTIVATIONS = 1 << 13;

/** The kernels bound to one memory, and where a call's arrays are in it. */
export class KernelMemory {
  readonly k: Exports;
  private top = 16;
  private pending = new Map<Float32Array, number>();
  private f32: Float32Array;

  constructor(
    readonly memory: WebAssembly.Memory,
    /** Whether the memory is tfjs's heap (never grown or written by us outside given arrays). */
    readonly shared: boolean,
    /** With a shared memory: the second thread's half of every large product. */
    private readonly pool?: MatmulPool,
  ) {
    const m = pool ? sharedKernelModule()! : kernelModule()!;
    this.k = new WebAssembly.Instance(m, { env: { memory } }).exports as unknown as Exports;
    this.f32 = new Float32Array(memory.buffer);
  }

  /**
   * C = A·B as `k.matmul` computes it (A at a + 4·(m·sam + k·sak)); with a second thread, a large
   * product's rows split between the two, the later rows the worker's — the same bits either way.
   */
  matmul(a: number, b: number, c: number, M: number, K: number, N: number, sam: number, sak: number): void {
    if (!this.pool || M < 8 || 2 * M * K * N < PARALLEL_FLOPS) return this.k.matmul(a, b, c, M, K, N, sam, sak);
    // The main thread's rows: the multiple of the kernel's 4-row tiles nearest M/2 (xᵀ·dY of a 23-wide
    // input: 12 and 11 rows, not 8 and 15, which left the main thread waiting).
    const h = ((M + 4) >> 3) << 2;
    splitProducts++;
    this.pool.start(a + 4 * h * sam, b, c + 4 * h * N, M - h, K, N, sam, sak);
    this.k.matmul(a, b, c, h, K, N, sam, sak);
    this.pool.join();
  }

  /**
   * out = the transcendental activation `code` (transcendental.ts) of the n floats at pre; with a
   * second thread and enough entries, the later half of them computed by the worker, with the
   * same source text: the same bits either way.
   */
  activateJs(code: number, alpha: number, pre: number, out: number, n: number): void {
    const [x, y] = [this.viewAt(pre, n), this.viewAt(out, n)];
    if (!this.pool || n < PARALLEL_ACTIVATIONS) return transcendentalRange(code, alpha, x, y, 0, n);
    const h = n >> 1;
    this.pool.startActivation(code, alpha, pre, out, n, h, n);
    transcendentalRange(code, alpha, x, y, 0, h);
    this.pool.join();
  }

  /** Whether `v` is already in this memory. */
  holds(v: Float32Array): boolean {
    return v.buffer === this.memory.buffer;
  }

  /** Starts a call: frees what the previous one placed. */
  begin(): this {
    this.top = 16;
    this.pending.clear();
    // The worker sleeps between steps; waking it now, while the call's inputs are copied in, keeps
    // the futex wake (~0.1 ms here) out of the first product's wait.
    this.pool?.wake();
    return this;
  }

  /** The address of `v` for reading: where it is, where this call is writing it, or a copy. */
  input(v: Float32Array): number {
    return this.place(v, 'in');
  }

  /** The address to write `v` at: where it is, or a buffer copied into `v` by `end`. */
  output(v: Float32Array): number {
    return this.place(v, 'out');
  }

  private place(v: Float32Array, use: 'in' | 'out'): number {
    if (this.holds(v)) return v.byteOffset;
    const q = this.pending.get(v);
    if (q !== undefined) return q;
    const p = this.alloc(v.length);
    if (use === 'in') this.view().set(v, p >> 2);
    else this.pending.set(v, p);
    return p;
  }

  /** The address of working memory the size of `v` (its contents neither read nor kept). */
  temp(v: Float32Array): number {
    return this.holds(v) ? v.byteOffset : this.alloc(v.length);
  }

  /** The `n` floats at byte address `p` of this memory (a view, valid until the memory grows). */
  viewAt(p: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, p, n);
  }

  /** Ends a call: outputs placed in this memory are copied to their arrays. */
  end(): void {
    const f32 = this.view();
    for (const [v, p] of this.pending) v.set(f32.subarray(p >> 2, (p >> 2) + v.length));
    this.pending.clear();
  }

  private alloc(n: number): number {
    // tfjs's heap is tfjs's to allocate: every array of a call there comes from a tensor or the
    // kernel's scratch (js-kernel.ts), so nothing ever needs placing.
    if (this.shared) throw new Error('internal: an array outside the tfjs-wasm heap was given to a heap-bound kernel');
    const p = (this.top + 15) & ~15; // 16-byte aligned for the SIMD loads
    this.top = p + 4 * n;
    const need = this.top - this.memory.buffer.byteLength;
    if (need > 0) this.memory.grow(Math.ceil(need / 65536));
    return p;
  }

  private view(): Float32Array {
    if (this.f32.buffer !== this.memory.buffer) this.f32 = new Float32Array(this.memory.buffer);
    return this.f32;
  }
}

let own: KernelMemory | undefined;
const onHeap = new WeakMap<WebAssembly.Memory, KernelMemory>();

/** The tfjs-wasm backend's heap, if that backend is registered and started. */
function tfjsHeap(): WebAssembly.Memory | undefined {
  const be = tf.engine().registry['wasm'] as { wasm?: { asm?: { memory?: unknown } } } | undefined;
  const mem = be?.wasm?.asm?.memory;
  return mem instanceof WebAssembly.Memory && !(mem.buffer instanceof SharedArrayBuffer) ? mem : undefined;
}

/** Bytes of the memories the kernels run on: tfjs-wasm's heap and their own (for the soak test: neither may grow). */
export function kernelMemoryBytes(): { tfjsHeap: number; own: number } {
  return {
    tfjsHeap: tfjsHeap()?.buffer.byteLength ?? 0,
    own: (own?.memory.buffer.byteLength ?? 0) + (parallel?.memory.buffer.byteLength ?? 0),
  };
}

/** Whether this runtime runs the kernels (WebAssembly SIMD). */
export function wasmKernelsAvailable(): boolean {
  return kernelModule() !== undefined;
}

let parallel: KernelMemory | null | undefined;

/**
 * The kernels on a shared memory of their own with a worker for half of each large product (the
 * tfjs heap is not shared: a call there copies its inputs in and outputs out); null where this
 * runtime has no WebAssembly threads.
 */
function parallelMemory(): KernelMemory | null {
  if (parallel === undefined) {
    const m = sharedKernelModule();
    try {
      const memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
      parallel = m ? new KernelMemory(memory, false, new MatmulPool(m, memory)) : null;
    } catch {
      parallel = null;
    }
  }
  return parallel;
}

/** The shared memory's most pages (scripts/build-wasm.mjs declares the same): 512 MiB. */
const MAX_PAGES = 8192;

/**
 * The kernels for a call whose arrays are like `v`: on the tfjs heap when `v` is there, else on
 * their own memory; with `twoThreads` (a call of large products whose working set, `bytes`, fits
 * the shared memory) on the shared memory, its products split over two threads.
 */
export function kernelMemoryFor(v: Float32Array, twoThreads = false, bytes = 0): KernelMemory {
  const p = twoThreads && bytes < (MAX_PAGES - 16) * 65536 ? parallelMemory() : null;
  if (p) return p.begin();
  const heap = tfjsHeap();
  if (heap && v.buffer === heap.buffer) {
    let m = onHeap.get(heap);
    if (!m) onHeap.set(heap, (m = new KernelMemory(heap, true)));
    return m.begin();
  }
  return (own ??= new KernelMemory(new WebAssembly.Memory({ initial: 1 }), false)).begin();
}

/**
 * C = A·B with A given as a row-major array: `transA` reads Aᵀ in place (xᵀ·dY), otherwise A
 * itself (x·V); `transB` multiplies by Bᵀ (dY·Vᵀ) through the transposed copy `tmp` (B's size),
 * so the product's row-major operand stays contiguous. One summation order for all
 * (assembly/matmul.ts). Within a call begun by `kernelMemoryFor`; the caller ends it.
 */
export function wasmMatMul(
  w: KernelMemory,
  a: Float32Array,
  aShape: readonly number[],
  b: Float32Array,
  bShape: readonly number[],
  out: Float32Array,
  opts: { transA?: boolean; transB?: boolean; tmp?: Float32Array } = {},
): void {
  const [ar, ac] = aShape as [number, number];
  const [br, bc] = bShape as [number, number];
  const [M, K] = opts.transA ? [ac, ar] : [ar, ac];
  const N = opts.transB ? br : bc;
  const pa = w.input(a);
  let pb = w.input(b);
  if (opts.transB) {
    const t = w.temp(opts.tmp!.subarray(0, b.length));
    w.k.transpose(pb, t, br, bc);
    pb = t;
  }
  w.matmul(pa, pb, w.output(out), M, K, N, opts.transA ? 1 : K, opts.transA ? M : 1);
}
