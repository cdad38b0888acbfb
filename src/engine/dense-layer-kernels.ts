import { registerJsKernel } from './js-kernel.js';
import { denseBackwardShapes, denseForwardShapes, runDenseBackward, runDenseForward, type DenseAttrs } from './dense-wn-kernels.js';
import { kernelMemoryFor, wasmKernelsAvailable, wasmMatMul } from './wasm-kernels.js';

/**
 * A whole denseWN layer per kernel call: the forward (x·V and everything after it) and the
 * backward (everything, both matmuls included) each one dispatch, the products in our
 * WebAssembly SIMD matmul (assembly/matmul.ts: each output summed along the shared dimension
 * from 0), the elementwise work as in dense-wn-kernels.ts. Registered only where WebAssembly
 * SIMD runs; elsewhere the layer falls back to tfjs's matmul and the elementwise kernels.
 */
export const LAYER_FORWARD_KERNEL = 'CriticDoctorLayerForward';
export const LAYER_BACKWARD_KERNEL = 'CriticDoctorLayerBackward';

export interface LayerBackwardAttrs extends DenseAttrs {
  needInputGrad: boolean;
}

const f = Math.fround;

if (wasmKernelsAvailable()) {
  registerJsKernel<DenseAttrs>({
    name: LAYER_FORWARD_KERNEL,
    // inputs: x [B,I], V [I,U], b [U] (+ g [U]) → xv, then the elementwise forward's outputs
    outShapes: ([x, V], a) => {
      const xv = [x![0]!, V![1]!];
      return [xv, ...denseForwardShapes(xv, a)];
    },
    run: (ins, shapes, outs, a) => {
      const [x, V, b, g] = ins as [Float32Array, Float32Array, Float32Array, Float32Array | undefined];
      const [xShape, vShape] = shapes as [number[], number[]];
      const xv = outs[0]!;
      const w = kernelMemoryFor(x);
      wasmMatMul(w, x, xShape, V, vShape, xv);
      w.end();
      const U = vShape[1]!;
      runDenseForward(a.weightNorm ? [xv, b, V, g!] : [xv, b], [[xShape[0]!, U], [U], vShape, [U]], outs.slice(1), a);
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
      const [dAct, pre, act, x, V, xv, scaler, norm, g] = ins as Float32Array[];
      const [dShape, , , xShape, vShape] = shapes as number[][];
      const n = V!.length;
      const nOwn = a.weightNorm ? 5 : 2;
      const dVNorm = a.weightNorm ? tmp.subarray(0, n) : undefined;
      const own = outs.slice(0, nOwn);
      runDenseBackward(
        a.weightNorm ? [dAct!, pre!, act!, xv!, scaler!, norm!, g!, V!] : [dAct!, pre!, act!],
        [dShape!, dShape!, dShape!, dShape!, [], [], [], vShape!],
        a.weightNorm ? [...own, dVNorm!] : own,
        a,
      );
      const dXv = a.weightNorm ? outs[3]! : outs[0]!;
      const dV = outs[nOwn]!;
      // dV = xᵀ·dXv (+ the gradient through ‖V‖, added after the product as TF's AddN does).
      const w = kernelMemoryFor(x!);
      wasmMatMul(w, x!, xShape!, dXv, dShape!, dV, { transA: true });
      if (a.needInputGrad) wasmMatMul(w, dXv, dShape!, V!, vShape!, outs[nOwn + 1]!, { transB: true, tmp: tmp.subarray(n) });
      w.end();
      if (dVNorm) for (let k = 0; k < n; k++) dV[k] = f(dV[k]! + dVNorm[k]!);
    },
  });
}
