import { registerJsKernel } from './js-kernel.js';
import { applyActivation, denseBackwardShapes, denseForwardShapes, TRANSCENDENTAL, type DenseAttrs } from './dense-wn-kernels.js';
import { kernelMemoryFor, wasmKernelsAvailable } from './wasm-kernels.js';
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

if (wasmKernelsAvailable()) {
  registerJsKernel<DenseAttrs>({
    name: LAYER_FORWARD_KERNEL,
    // inputs: x [B,I], V [I,U], b [U] (+ g [U]) → xv, [norm, scaler,] pre, act
    outShapes: ([x, V], a) => {
      const xv = [x![0]!, V![1]!];
      return [xv, ...denseForwardShapes(xv, a)];
    },
    run: (ins, shapes, outs, a) => {
      const [x, V, b, g] = ins as [Float32Array, Float32Array, Float32Array, Float32Array | undefined];
      const [B, I] = shapes[0] as [number, number];
      const U = shapes[1]![1]!;
      const w = kernelMemoryFor(x);
      const [px, pV, pb] = [w.input(x), w.input(V), w.input(b)];
      const o = outs.map((v) => w.output(v));
      w.k.matmul(px, pV, o[0]!, B, I, U, I, 1);
      const [pNorm, pScaler, pPre, pAct] = a.weightNorm ? o.slice(1) : [0, 0, o[1]!, o[2]!];
      const pg = a.weightNorm ? w.input(g!) : 0;
      const wn = a.weightNorm ? 1 : 0;
      w.k.denseForward(o[0]!, pb, pV, pg, pNorm!, pScaler!, pPre!, pAct!, B, I, U, wn, ACT_CODES[a.act]!, a.alpha);
      w.end();
      // exp and tanh in JS, over the whole array (the kernel left act = pre).
      const n = outs.length;
      if (TRANSCENDENTAL.has(a.act)) applyActivation(a.act, a.alpha, outs[n - 2]!, outs[n - 1]!);
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
      const p = ins.map((v) => w.input(v));
      const o = outs.map((v) => w.output(v));
      const wn = a.weightNorm;
      const pVNorm = wn ? w.temp(tmp.subarray(0, n)) : 0;
      const [pdPre, pdb, pdScaler, pdXv, pdg] = wn ? o : [o[0]!, o[1]!, 0, o[0]!, 0];
      const [pdAct, pPre, pAct, px, pV, pxv, pScaler, pNorm, pg] = wn ? p : [...p, 0, 0, 0, 0];
      const alpha = f(a.alpha);
      w.k.denseBackward(
        ...[pdAct!, pPre!, pAct!, pxv!, pScaler!, pNorm!, pg!, pV!, pdPre!, pdb!, pdScaler!, pdXv!, pdg!, pVNorm],
        ...[B, I, U, wn ? 1 : 0, ACT_CODES[a.act]!, alpha, f(SELU_SCALE), f(SELU_SA)],
      );
      const nOwn = wn ? 5 : 2;
      // dV = xᵀ·dXv (+ the gradient through ‖V‖, added after the product as TF's AddN does).
      w.k.matmul(px!, pdXv!, o[nOwn]!, I, B, U, 1, I);
      if (wn) w.k.addInto(o[nOwn]!, pVNorm, n);
      if (a.needInputGrad) {
        const pVt = w.temp(tmp.subarray(n, 2 * n));
        w.k.transpose(pV!, pVt, I, U);
        w.k.matmul(pdXv!, pVt, o[nOwn + 1]!, B, U, I, U, 1);
      }
      w.end();
    },
  });
}
