import { KERNELS_WASM_BASE64 } from './wasm/kernels-binary.js';

/**
 * Our WebAssembly SIMD kernels (sources in assembly/, one file per kernel family), instantiated
 * once per thread with a memory of their own. A kernel call copies its inputs into that memory
 * (`Arena.put`), runs, and its outputs are copied out; the arena is reset at the start of each
 * call, so the module's memory grows only to the largest call's working set and then stays.
 */
interface Exports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  matmul(a: number, b: number, c: number, M: number, K: number, N: number, sam: number, sak: number): void;
  transpose(src: number, dst: number, R: number, C: number): void;
}

/** Buffers laid out one after another in the module's memory, from its heap base. */
export class Arena {
  private top: number;
  private f32: Float32Array;
  constructor(readonly k: Exports) {
    this.top = k.heapBase();
    this.f32 = new Float32Array(k.memory.buffer);
  }
  /** Frees everything (the start of a kernel call). */
  reset(): void {
    this.top = this.k.heapBase();
  }
  /** Room for `n` floats (16-byte aligned for SIMD loads); returns its byte address. */
  alloc(n: number): number {
    const p = (this.top + 15) & ~15;
    this.top = p + 4 * n;
    const need = this.top - this.k.memory.buffer.byteLength;
    if (need > 0) this.k.memory.grow(Math.ceil(need / 65536));
    if (this.f32.buffer !== this.k.memory.buffer) this.f32 = new Float32Array(this.k.memory.buffer);
    return p;
  }
  /** A copy of `values` in the module's memory; returns its address. */
  put(values: Float32Array): number {
    const p = this.alloc(values.length);
    this.f32.set(values, p >> 2);
    return p;
  }
  /** The `n` floats at `p` (a view, valid until the next `alloc`). */
  view(p: number, n: number): Float32Array {
    return this.f32.subarray(p >> 2, (p >> 2) + n);
  }
}

let arena: Arena | null | undefined;

/**
 * The kernels' arena, or undefined where this runtime has no WebAssembly SIMD (the callers then
 * use the JS kernels and tfjs's matmul).
 */
export function wasmKernels(): Arena | undefined {
  if (arena === undefined) {
    try {
      const module = new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
      arena = new Arena(new WebAssembly.Instance(module, {}).exports as unknown as Exports);
    } catch {
      arena = null;
    }
  }
  return arena ?? undefined;
}

/**
 * C = A·B with A given as a row-major R × C array: `transA` reads Aᵀ in place (xᵀ·dY), otherwise
 * A itself (x·V); `transB` multiplies by Bᵀ (dY·Vᵀ) through a transposed copy, so the product's
 * row-major operand stays contiguous. One summation order for all (assembly/matmul.ts).
 */
export function wasmMatMul(
  w: Arena,
  a: Float32Array,
  aShape: readonly number[],
  b: Float32Array,
  bShape: readonly number[],
  out: Float32Array,
  transA = false,
  transB = false,
): void {
  const [ar, ac] = aShape as [number, number];
  const [br, bc] = bShape as [number, number];
  const [M, K] = transA ? [ac, ar] : [ar, ac];
  const N = transB ? br : bc;
  w.reset();
  const pa = w.put(a);
  let pb = w.put(b);
  if (transB) {
    const t = w.alloc(b.length);
    w.k.transpose(pb, t, br, bc);
    pb = t;
  }
  const pc = w.alloc(M * N);
  w.k.matmul(pa, pb, pc, M, K, N, transA ? 1 : K, transA ? M : 1);
  out.set(w.view(pc, M * N));
}
