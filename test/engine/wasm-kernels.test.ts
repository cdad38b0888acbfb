import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kernelMemoryFor, wasmKernelsAvailable, wasmMatMul } from '../../src/engine/wasm-kernels.js';
import { runJsKernel } from '../../src/engine/js-kernel.js';
import { DENSE_BACKWARD_KERNEL, DENSE_FORWARD_KERNEL } from '../../src/engine/dense-wn-kernels.js';
import { LAYER_BACKWARD_KERNEL, LAYER_FORWARD_KERNEL } from '../../src/engine/dense-layer-kernels.js';
import { describeEachBackend } from '../helpers/backends.js';

const f = Math.fround;

/** The documented order, scalar: C[m,n] = Σ_k A(m,k)·B(k,n) in float32, k from 0, starting at +0. */
function refMatMul(a: Float32Array, b: Float32Array, M: number, K: number, N: number, transA: boolean, transB: boolean): Float32Array {
  const c = new Float32Array(M * N);
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s = f(s + f((transA ? a[k * M + m]! : a[m * K + k]!) * (transB ? b[n * K + k]! : b[k * N + n]!)));
      c[m * N + n] = s;
    }
  return c;
}

/** Bit for bit, NaN equal to NaN (Object.is), +0 distinct from −0. */
function sameBits(x: Float32Array, y: Float32Array): boolean {
  return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
}

const dim = fc.oneof(fc.constantFrom(1, 3, 4, 7, 8, 9, 64, 65), fc.integer({ min: 1, max: 80 }));
// Mostly ordinary values, some that stress rounding and non-finite propagation.
const value = fc.oneof(
  { weight: 20, arbitrary: fc.float({ min: -4, max: 4, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 3e38, -3e38, 1e-40) },
);
const matrix = (n: number) => fc.array(value, { minLength: n, maxLength: n }).map((v) => Float32Array.from(v));

describe('the WebAssembly SIMD matmul', () => {
  it('loads here (Node has WebAssembly SIMD)', () => expect(wasmKernelsAvailable()).toBe(true));
  const mul = (
    a: Float32Array,
    aShape: number[],
    b: Float32Array,
    bShape: number[],
    out: Float32Array,
    transA: boolean,
    transB: boolean,
  ) => {
    const w = kernelMemoryFor(a);
    wasmMatMul(w, a, aShape, b, bShape, out, { transA, transB, tmp: new Float32Array(b.length) });
    w.end();
  };

  for (const [transA, transB, form] of [
    [false, false, 'x·V'],
    [true, false, 'xᵀ·dY'],
    [false, true, 'dY·Vᵀ'],
  ] as const) {
    it(`${form} equals the scalar float32 loop bit for bit, any shape (1, odd, > 64)`, () => {
      fc.assert(
        fc.property(
          fc.tuple(dim, dim, dim).chain(([M, K, N]) => fc.tuple(fc.constant([M, K, N] as const), matrix(M * K), matrix(K * N))),
          ([[M, K, N], a, b]) => {
            const out = new Float32Array(M * N).fill(7);
            mul(a, transA ? [K, M] : [M, K], b, transB ? [N, K] : [K, N], out, transA, transB);
            return sameBits(out, refMatMul(a, b, M, K, N, transA, transB));
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  it('a scalar loop in another order would differ: the test can tell orders apart', () => {
    // 1 + 2^-24 + 2^-24 is 1 summed from the left, 1 + 2^-23 from the right.
    const a = Float32Array.of(1, 2 ** -24, 2 ** -24);
    const b = Float32Array.of(1, 1, 1);
    const out = new Float32Array(1);
    mul(a, [1, 3], b, [3, 1], out, false, false);
    expect(out[0]).toBe(1);
    expect(f(f(2 ** -24 + 2 ** -24) + 1)).not.toBe(1);
  });
});

describeEachBackend('the layer kernels', () => {
  // Odd sizes; a batch of 1 and a single unit; a fan-in above 64.
  const shapeSets = [
    { B: 13, I: 9, U: 11 },
    { B: 1, I: 70, U: 1 },
    { B: 65, I: 3, U: 9 },
  ];
  const rand = (n: number, seed: number) => {
    let s = seed;
    return Float32Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1);
  };

  const acts: [string, number][] = [
    ['relu', 0],
    ['elu', 1],
    ['elu', 0.5],
    ['leaky_relu', 0.2],
    ['tanh', 0],
    ['sigmoid', 0],
    ['selu', 0],
    ['linear', 0],
  ];
  for (const [act, alpha] of acts) {
    for (const weightNorm of [true, false]) {
      const name = `${act}${alpha ? ` α=${alpha}` : ''}${weightNorm ? ', weight norm' : ''}`;
      it(`${name}: forward and backward equal the scalar matmuls composed with the elementwise kernels, bit for bit`, () => {
        for (const { B, I, U } of shapeSets) {
          const x = rand(B * I, 1).map((v) => v * 3);
          // Non-finite and extreme entries: the kernels must propagate them as the JS twins do.
          x[5] = NaN;
          x[17] = Infinity;
          x[30] = -3e38;
          const V = rand(I * U, 2);
          const b = rand(U, 3);
          const g = rand(U, 4).map((v) => v + 2);
          const dAct = rand(B * U, 5);
          dAct[7] = -Infinity;
          const attrs = { act, alpha, weightNorm };
          tf.tidy(() => {
            const t = (v: Float32Array, s: number[]) => tf.tensor(v, s);
            const wn = weightNorm ? [t(g, [U])] : [];
            const fwd = runJsKernel(LAYER_FORWARD_KERNEL, [t(x, [B, I]), t(V, [I, U]), t(b, [U]), ...wn], attrs);
            const xv = refMatMul(x, V, B, I, U, false, false);
            expect(sameBits(fwd[0]!.dataSync() as Float32Array, xv)).toBe(true);
            const wnIns = weightNorm ? [t(V, [I, U]), t(g, [U])] : [];
            const ewise = runJsKernel(DENSE_FORWARD_KERNEL, [t(xv, [B, U]), t(b, [U]), ...wnIns], attrs);
            ewise.forEach((e, i) => expect(sameBits(fwd[i + 1]!.dataSync() as Float32Array, e.dataSync() as Float32Array)).toBe(true));

            const [pre, out] = weightNorm ? [fwd[3]!, fwd[4]!] : [fwd[1]!, fwd[2]!];
            const extra = weightNorm ? [fwd[0]!, fwd[2]!, fwd[1]!, t(g, [U])] : [];
            const back = runJsKernel(LAYER_BACKWARD_KERNEL, [t(dAct, [B, U]), pre, out, t(x, [B, I]), t(V, [I, U]), ...extra], {
              ...attrs,
              needInputGrad: true,
            });
            const ew = runJsKernel(
              DENSE_BACKWARD_KERNEL,
              [t(dAct, [B, U]), pre, out, ...(weightNorm ? [fwd[0]!, fwd[2]!, fwd[1]!, t(g, [U]), t(V, [I, U])] : [])],
              attrs,
            ).map((e) => e.dataSync() as Float32Array);
            const nOwn = weightNorm ? 5 : 2;
            ew.slice(0, nOwn).forEach((e, i) => expect(sameBits(back[i]!.dataSync() as Float32Array, e)).toBe(true));
            const dXv = weightNorm ? ew[3]! : ew[0]!;
            const dV = refMatMul(x, dXv, I, B, U, true, false);
            if (weightNorm) dV.forEach((v, k) => (dV[k] = f(v + ew[5]![k]!)));
            expect(sameBits(back[nOwn]!.dataSync() as Float32Array, dV)).toBe(true);
            expect(sameBits(back[nOwn + 1]!.dataSync() as Float32Array, refMatMul(dXv, V, B, U, I, false, true))).toBe(true);
          });
        }
      });
    }
  }
});
