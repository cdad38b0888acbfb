import { SELU_ALPHA, SELU_SCALE } from '../model/activations.js';

/**
 * The activations our SIMD kernels leave to JS (Math.exp, Math.tanh: wasm has neither, and a
 * polynomial would not round as they do), as one loop each over entries [from, to). A named hot
 * loop, self-contained on purpose: it refers to nothing outside itself but `Math`, so the second
 * thread's worker (matmul-pool.ts) runs this very source text on its half of a wide layer — the
 * same V8, the same Math.exp, the same bits. Each formula is dense-wn-kernels.ts's `forwardFn`
 * for the activation, operation for operation (`sa` = SELU_SCALE·SELU_ALPHA, which that
 * expression computes first).
 */
export function transcendentalLoop(
  code: number,
  alpha: number,
  scale: number,
  sa: number,
  pre: Float32Array,
  out: Float32Array,
  from: number,
  to: number,
): void {
  const f = Math.fround;
  const a = f(alpha);
  if (code === 3 && alpha === 1) {
    for (let k = from; k < to; k++) {
      const x = pre[k]!;
      out[k] = x >= 0 ? x : f(Math.exp(x) - 1);
    }
  } else if (code === 3) {
    for (let k = from; k < to; k++) {
      const x = pre[k]!;
      out[k] = x > 0 ? x : f(f(f(Math.exp(x)) - 1) * a);
    }
  } else if (code === 4) {
    for (let k = from; k < to; k++) out[k] = f(Math.tanh(pre[k]!));
  } else if (code === 5) {
    for (let k = from; k < to; k++) out[k] = f(1 / (1 + Math.exp(-pre[k]!)));
  } else if (code === 6) {
    for (let k = from; k < to; k++) {
      const x = pre[k]!;
      out[k] = x >= 0 ? f(scale * x) : f(sa * (Math.exp(x) - 1));
    }
  }
}

/**
 * Whether the activation of kernel code `code` (dense-layer-kernels.ts ACT_CODES: elu 3, tanh 4,
 * sigmoid 5, selu 6) is one `transcendentalLoop` computes, the SIMD kernels leaving act = pre.
 */
export function isTranscendental(code: number): boolean {
  return code >= 3 && code <= 6;
}

/** `transcendentalLoop` over entries [from, to), with the SELU constants. */
export function transcendentalRange(code: number, alpha: number, pre: Float32Array, out: Float32Array, from: number, to: number): void {
  transcendentalLoop(code, alpha, SELU_SCALE, SELU_SCALE * SELU_ALPHA, pre, out, from, to);
}
