import { registerJsKernel } from '../engine/js-kernel.js';
import { kernelMemoryFor, wasmKernelsAvailable } from '../engine/wasm-kernels.js';

/**
 * The MSE's error, loss and gradient as one kernel (wasm, cpu): `error = target − v`,
 * `loss = (Σ error²) / B` with the squares added in float32 from the first row, `dv = −((error·2)
 * ·float32(1/B))` — the ops of loss.ts's composed mseLoss with one documented sum (tfjs's mean adds
 * in its own order: float64 on cpu). In our SIMD module (assembly/loss.ts) where it runs, else
 * this JS twin; the whole-step kernel (whole-step.ts) calls the same function.
 */
export const MSE_KERNEL = 'CriticDoctorMse';

const f = Math.fround;

export function mseJs(t: Float32Array, v: Float32Array, error: Float32Array, loss: Float32Array, dv: Float32Array): void {
  const invN = f(1 / t.length);
  let s = 0;
  for (let j = 0; j < t.length; j++) {
    const e = f(t[j]! - v[j]!);
    error[j] = e;
    s = f(s + f(e * e));
    dv[j] = -f(f(e * 2) * invN);
  }
  loss[0] = f(s / t.length);
}

const simd = wasmKernelsAvailable();

registerJsKernel<Record<string, never>>({
  name: MSE_KERNEL,
  // inputs: target [B,1], v [B,1] → error [B,1], loss [], dv [B,1]
  outShapes: ([t]) => [t!, [], t!],
  run: ([t, v], _shapes, [error, loss, dv]) => {
    if (!simd) return mseJs(t!, v!, error!, loss!, dv!);
    const w = kernelMemoryFor(t!);
    w.k.mse(w.input(t!), w.input(v!), w.output(error!), w.output(loss!), w.output(dv!), t!.length, f(1 / t!.length));
    w.end();
  },
});
