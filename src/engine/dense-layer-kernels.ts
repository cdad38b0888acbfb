import { registerJsKernel } from './js-kernel.js';
import { denseBackwardShapes, denseForwardShapes, type DenseAttrs } from './dense-wn-kernels.js';
import { isTranscendental } from './transcendental.js';
import { kernelMemoryFor, wasmKernelsAvailable, type KernelMemory } from './wasm-kernels.js';
import { SELU_ALPHA, SELU_SCALE } from '../model/activations.js';

/**
 * A whole denseWN layer per kernel call, in our WebAssembly SIMD kernels (assembly/): the forward
 * (x·V, ‖V‖, scaler, pre-activation, activation) and the backward (every gradient, both matmuls
 * included) each one dispatch. The matmuls sum each output along the shared dimension from 0
 * (assembly/matmul.ts); the elementwise work is dense-wn-kernels.ts's JS, op for op, which a test
 * holds equal bit for bit. Registered only where WebAssembly SIMD runs; elsewhere the layer uses
 * tfjs's matmul and the JS kernels.
 */
export const LAYER_FORWARD_KERNEL = 'CriticDoctorLayerForward';
export const LAYER_BACKWARD_KERNEL = 'CriticDoctorLayerBackward';

export interface LayerBackwardAttrs extends DenseAttrs {
  needInputGrad: boolean;
}

/** The kernels' activation codes (assembly/dense.ts). */
export const ACT_CODES: Record<string, number> = { linear: 0, relu: 1, leaky_relu: 2, elu: 3, tanh: 4, sigmoid: 5, selu: 6 };
export const SELU_SA = SELU_SCALE * SELU_ALPHA;
const f = Math.fround;

/** Byte addresses of one layer's tensors in a kernel call's memory (0 where the layer has none). */
export interface DenseForwardAt {
  x: number;
  V: number;
  b: number;
  g: number;
  xv: number;
  norm: number;
  scaler: number;
  pre: number;
  act: number;
}

/** A layer's sizes and nonlinearity (`weightNorm`: denseWN; else plain dense). */
export interface DenseLayerAt {
  B: number;
  I: number;
  U: number;
  weightNorm: boolean;
  act: string;
  alpha: number;
  /** x's row stride where its rows are wider than the I entries the layer reads (default I). */
  xStride?: number;
  /** How many of dX's columns are wanted: the first dXCols of I (default I). */
  dXCols?: number;
}

/**
 * One layer's forward, in the one order both the per-layer kernel and the whole step use: x·V,
 * then ‖V‖, scaler, pre-activation and activation; exp and tanh in JS over the whole array (the
 * SIMD kernel leaves act = pre for them).
 */
export function denseForwardAt(w: KernelMemory, a: DenseForwardAt, l: DenseLayerAt): void {
  const { B, I, U } = l;
  w.matmul(a.x, a.V, a.xv, B, I, U, l.xStride ?? I, 1);
  const code = ACT_CODES[l.act]!;
  w.k.denseForward(a.xv, a.b, a.V, a.g, a.norm, a.scaler, a.pre, a.act, B, I, U, l.weightNorm ? 1 : 0, code, l.alpha);
  if (isTranscendental(code)) w.activateJs(code, l.alpha, a.pre, a.act, B * U);
}

/** Addresses of one layer's backward: its inputs, its outputs and its scratch (dVNorm, Vᵀ). */
export interface DenseBackwardAt {
  dAct: number;
  pre: number;
  act: number;
  x: number;
  V: number;
  xv: number;
  scaler: number;
  norm: number;
  g: number;
  dPre: number;
  db: number;
  dScaler: number;
  dXv: number;
  dg: number;
  dV: number;
  /** 0 where no input gradient is wanted (the first layer). */
  dX: number;
  dVNorm: number;
  vt: number;
}

/**
 * One layer's backward, in the one order both paths use: the elementwise gradients, dV = xᵀ·dXv
 * (+ the gradient through ‖V‖, added after the product as TF's AddN does), dX = dXv·Vᵀ.
 */
export function denseBackwardAt(w: KernelMemory, a: DenseBackwardAt, l: DenseLayerAt): void {
  const { B, I, U } = l;
  w.k.denseBackward(
    ...[a.dAct, a.pre, a.act, a.xv, a.scaler, a.norm, a.g, a.V, a.dPre, a.db, a.dScaler, a.dXv, a.dg, a.dVNorm],
    ...[B, I, U, l.weightNorm ? 1 : 0, ACT_CODES[l.act]!, f(l.alpha), f(SELU_SCALE), f(SELU_SA)],
  );
  w.matmul(a.x, a.dXv, a.dV, I, B, U, 1, l.xStride ?? I);
  if (l.weightNorm) w.k.addInto(a.dV, a.dVNorm, I * U);
  if (a.dX) {
    // dX's first columns take V's first rows only: each entry is the same sum over U either way.
    const cols = l.dXCols ?? I;
    w.k.transpose(a.V, a.vt, cols, U);
    w.matmul(a.dXv, a.vt, a.dX, B, U, cols, U, 1);
  }
}

if (wasmKernelsAvailable()) {
  registerJsKernel<DenseAttrs>({
    name: LAYER_FORWARD_KERNEL,
    // inputs: x [B,I], V [I,U], b [U] (+ g [U]) → xv, [norm, scaler,] pre, act
    outShapes: ([x, V], a) => {
      const xv = [x![0]!, V![1]!];
      return [xv, ...denseForwardShapes(xv, a)];
    },
    run: (ins, shapes, outs, a) => {
      const [B, I] = shapes[0] as [number, number];
      const U = shapes[1]![1]!;
      const w = kernelMemoryFor(ins[0]!);
      const [x, V, b, g] = ins.map((v) => w.input(v));
      const o = outs.map((v) => w.output(v));
      const [norm, scaler, pre, act] = a.weightNorm ? o.slice(1) : [0, 0, o[1]!, o[2]!];
      const at = { x: x!, V: V!, b: b!, g: g ?? 0, xv: o[0]!, norm: norm!, scaler: scaler!, pre: pre!, act: act! };
      denseForwardAt(w, at, { B, I, U, weightNorm: a.weightNorm, act: a.act, alpha: a.alpha });
      w.end();
    },
  });

  registerJsKernel<LayerBackwardAttrs>({
    name: LAYER_BACKWARD_KERNEL,
    // inputs: dAct, pre, act, x, V (+ xv, scaler, norm, g) → dPre, db, (dScaler, dXv, dg,) dV, (dX)
    outShapes: ([dAct, , , x, V], a) => {
      const own = denseBackwardShapes(dAct!, V, a).slice(0, a.weightNorm ? 5 : 2);
      return [...own, V!, ...(a.needInputGrad ? [x!] : [])];
    },
    // Scratch: dV's term through ‖V‖ (no caller sees it), then Vᵀ for dY·Vᵀ.
    scratch: ([, , , , V]) => 2 * V![0]! * V![1]!,
    run: (ins, shapes, outs, a, tmp) => {
      const [B, U] = shapes[0] as [number, number];
      const [I] = shapes[4] as [number];
      const n = I * U;
      const w = kernelMemoryFor(ins[0]!);
      const [dAct, pre, act, x, V, xv, scaler, norm, g] = ins.map((v) => w.input(v));
      const o = outs.map((v) => w.output(v));
      const wn = a.weightNorm;
      const nOwn = wn ? 5 : 2;
      const [dPre, db, dScaler, dXv, dg] = wn ? o : [o[0]!, o[1]!, 0, o[0]!, 0];
      denseBackwardAt(
        w,
        {
          ...{ dAct: dAct!, pre: pre!, act: act!, x: x!, V: V!, xv: xv ?? 0, scaler: scaler ?? 0, norm: norm ?? 0, g: g ?? 0 },
          ...{ dPre: dPre!, db: db!, dScaler: dScaler!, dXv: dXv!, dg: dg!, dV: o[nOwn]!, dX: a.needInputGrad ? o[nOwn + 1]! : 0 },
          ...{ dVNorm: wn ? w.temp(tmp.subarray(0, n)) : 0, vt: a.needInputGrad ? w.temp(tmp.subarray(n, 2 * n)) : 0 },
        },
        { B, I, U, weightNorm: wn, act: a.act, alpha: a.alpha },
      );
      w.end();
    },
  });
}
