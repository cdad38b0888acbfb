import { registerJsKernel } from './js-kernel.js';
import { SELU_ALPHA, SELU_SCALE } from '../model/activations.js';

/**
 * denseWN's forward and backward (all but the two matmuls) as one JS kernel each, on the
 * CPU-side backends. Every operation is rounded to float32 (Math.fround) in the order of the
 * composed tfjs ops in dense-wn.ts, so the fused step is that step, not an approximation of it;
 * tests hold them equal within float32 rounding. The column sums (Σ V² over axis 0, the bias and
 * scaler gradients over the batch) add in float32, row by row from 0, as TF1's Eigen reduction
 * over the outer axis does; tfjs's cpu backend adds them in float64, its wasm backend in float32.
 */
export const DENSE_FORWARD_KERNEL = 'CriticDoctorDenseForward';
export const DENSE_BACKWARD_KERNEL = 'CriticDoctorDenseBackward';

const f = Math.fround;
// float64 in tfjs's cpu kernels; rounded where they become float32 tensors.
const SELU_SCALE_32 = f(SELU_SCALE);
const SELU_SA_32 = f(SELU_SCALE * SELU_ALPHA);

/** Activations the fused kernels implement (the others run as composed tfjs ops). */
export const FUSED_ACTIVATIONS = new Set(['linear', 'relu', 'leaky_relu', 'elu', 'tanh', 'sigmoid', 'selu']);

export interface DenseAttrs {
  act: string;
  alpha: number;
  weightNorm: boolean;
}

function forwardFn(act: string, alpha: number): (x: number) => number {
  const a = f(alpha);
  switch (act) {
    case 'relu':
      return (x) => (x < 0 ? 0 : x);
    case 'leaky_relu':
      return (x) => (x < 0 ? f(alpha * x) : x);
    case 'elu':
      return alpha === 1 ? (x) => (x >= 0 ? x : f(Math.exp(x) - 1)) : (x) => (x > 0 ? x : f(f(f(Math.exp(x)) - 1) * a));
    case 'tanh':
      return (x) => f(Math.tanh(x));
    case 'sigmoid':
      return (x) => f(1 / (1 + Math.exp(-x)));
    case 'selu':
      return (x) => (x >= 0 ? f(SELU_SCALE * x) : f(SELU_SCALE * SELU_ALPHA * (Math.exp(x) - 1)));
    default:
      return (x) => x;
  }
}

/** dy · f'(x), from the pre-activation x and output y, as activations.ts composes it. */
function backwardFn(act: string, alpha: number): (x: number, y: number, dy: number) => number {
  const a = f(alpha);
  switch (act) {
    case 'relu':
      return (x, _y, dy) => f(dy * (x > 0 ? 1 : 0));
    case 'leaky_relu':
      return (x, _y, dy) => f(dy * (x > 0 ? 1 : a));
    case 'elu':
      return (x, y, dy) => f(dy * (x > 0 ? 1 : f(y + a)));
    case 'tanh':
      return (_x, y, dy) => f(dy * f(1 - f(y * y)));
    case 'sigmoid':
      return (_x, y, dy) => f(dy * f(y * f(1 - y)));
    case 'selu':
      return (x, y, dy) => f(dy * (x > 0 ? SELU_SCALE_32 : f(y + SELU_SA_32)));
    default:
      return (_x, _y, dy) => dy;
  }
}

/** Output shapes of the forward: [norm, scaler,] pre, act. */
export function denseForwardShapes(xv: number[], a: DenseAttrs): number[][] {
  const U = xv[1]!;
  return a.weightNorm ? [[U], [U], xv, xv] : [xv, xv];
}

/** The forward's body: ins xv [B,U], b [U] (+ V [I,U], g [U] with weight norm) → [norm, scaler,] pre, act. */
function runDenseForward(ins: Float32Array[], shapes: number[][], outs: Float32Array[], a: DenseAttrs): void {
  const [xv, b] = ins as [Float32Array, Float32Array];
  const [B, U] = shapes[0] as [number, number];
  const act = forwardFn(a.act, a.alpha);
  let pre: Float32Array;
  let out: Float32Array;
  if (a.weightNorm) {
    const V = ins[2]!;
    const g = ins[3]!;
    const I = shapes[2]![0]!;
    const [norm, scaler] = outs as [Float32Array, Float32Array];
    pre = outs[2]!;
    out = outs[3]!;
    for (let u = 0; u < U; u++) {
      let s = 0;
      for (let i = 0; i < I; i++) {
        const v = V[i * U + u]!;
        s = f(s + f(v * v));
      }
      norm[u] = f(Math.sqrt(s));
      scaler[u] = f(g[u]! / norm[u]!);
    }
    for (let r = 0; r < B; r++) {
      for (let u = 0; u < U; u++) {
        const k = r * U + u;
        const p = f(f(scaler[u]! * xv[k]!) + b[u]!);
        pre[k] = p;
        out[k] = act(p);
      }
    }
  } else {
    pre = outs[0]!;
    out = outs[1]!;
    for (let r = 0; r < B; r++) {
      for (let u = 0; u < U; u++) {
        const k = r * U + u;
        const p = f(xv[k]! + b[u]!);
        pre[k] = p;
        out[k] = act(p);
      }
    }
  }
}

/** Output shapes of the backward (vShape: V's): dPre, db (+ dScaler, dXv, dg, dV through ‖V‖). */
export function denseBackwardShapes(dAct: number[], vShape: number[] | undefined, a: DenseAttrs): number[][] {
  const U = dAct[1]!;
  return a.weightNorm ? [dAct, [U], [U], dAct, [U], vShape!] : [dAct, [U]];
}

/** The backward's body: ins dAct, pre, act (+ xv, scaler, norm, g, V) → denseBackwardShapes. */
function runDenseBackward(ins: Float32Array[], shapes: number[][], outs: Float32Array[], a: DenseAttrs): void {
  const [dAct, pre, y] = ins as [Float32Array, Float32Array, Float32Array];
  const [B, U] = shapes[0] as [number, number];
  const back = backwardFn(a.act, a.alpha);
  const dPre = outs[0]!;
  const db = outs[1]!;
  for (let k = 0; k < B * U; k++) dPre[k] = back(pre[k]!, y[k]!, dAct[k]!);
  for (let u = 0; u < U; u++) {
    let s = 0;
    for (let r = 0; r < B; r++) s = f(s + dPre[r * U + u]!);
    db[u] = s;
  }
  if (!a.weightNorm) return;
  const [, , , xv, scaler, norm, g, V] = ins as Float32Array[];
  const I = shapes[7]![0]!;
  const dScaler = outs[2]!;
  const dXv = outs[3]!;
  const dg = outs[4]!;
  const dVNorm = outs[5]!;
  const dSumSq = new Float64Array(U);
  for (let u = 0; u < U; u++) {
    let s = 0;
    for (let r = 0; r < B; r++) s = f(s + f(dPre[r * U + u]! * xv![r * U + u]!));
    const n = norm![u]!;
    dScaler[u] = s;
    dg[u] = f(dScaler[u]! / n);
    // TF's RealDiv, Sqrt, Sum and Square gradients: dNorm = dScaler·((−g/‖V‖)/‖V‖); dΣV² = dNorm·0.5/‖V‖.
    const dNorm = f(dScaler[u]! * f(f(-g![u]! / n) / n));
    dSumSq[u] = f(f(dNorm * 0.5) / n);
  }
  for (let r = 0; r < B; r++) for (let u = 0; u < U; u++) dXv[r * U + u] = f(dPre[r * U + u]! * scaler![u]!);
  for (let i = 0; i < I; i++) for (let u = 0; u < U; u++) dVNorm[i * U + u] = f(dSumSq[u]! * f(V![i * U + u]! * 2));
}

registerJsKernel<DenseAttrs>({
  name: DENSE_FORWARD_KERNEL,
  outShapes: ([xv], a) => denseForwardShapes(xv!, a),
  run: runDenseForward,
});

registerJsKernel<DenseAttrs>({
  name: DENSE_BACKWARD_KERNEL,
  outShapes: (shapes, a) => denseBackwardShapes(shapes[0]!, shapes[7], a),
  run: runDenseBackward,
});
