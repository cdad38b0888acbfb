import { registerJsKernel } from '../engine/js-kernel.js';
import type { OptimizerConfig } from '../config/schema.js';
import { eigenHalfSumOfSquares, eigenSum, eigenSumOfSquares, oneMinus } from './tf1-arith.js';

/**
 * Clipping and the optimizer update of every parameter in one JS kernel on the CPU-side
 * backends, replacing ~20 tiny kernels per parameter. This is TF1's arithmetic op for op: each
 * operation rounded to float32 in the order of TF1's clip_by_norm / clip_by_global_norm and its
 * ApplyRMSProp / ApplyAdam / gradient-descent kernels, their constants derived as TF1 derives them
 * and their norms summed in Eigen's order (tf1-arith.ts), NaN/Inf behaviour included. clip.ts and
 * optimizers.ts compose the same formulas from tfjs ops (whose sums add in tfjs's order).
 */
export const UPDATE_KERNEL = 'CriticDoctorClipAndUpdate';

export interface UpdateAttrs {
  n: number;
  slots: number;
  clipMode: 'perTensor' | 'global' | 'none';
  clipNorm: number;
  opt: OptimizerConfig;
  /** Adam's step size with bias correction for this iteration (`adamStepSize`, float32 as TF1). */
  lrT: number;
  /** Also output each parameter's step θ_new − θ_old (for the watchdog's update-to-weight ratio). */
  emitSteps?: boolean;
}

const f = Math.fround;

/**
 * Output order: [clipped × n (unless clip none)], [global norm (global only)], [slot k of each
 * param, k-major], [new params × n], [steps θ_new − θ_old × n (emitSteps only)].
 */
registerJsKernel<UpdateAttrs>({
  name: UPDATE_KERNEL,
  // inputs: params × n, grads × n, then slot k of each parameter, k-major.
  outShapes: (shapes, a) => {
    const ps = shapes.slice(0, a.n);
    const out: number[][] = [];
    if (a.clipMode !== 'none') out.push(...ps);
    if (a.clipMode === 'global') out.push([]);
    for (let k = 0; k < a.slots; k++) out.push(...ps);
    out.push(...ps);
    if (a.emitSteps) out.push(...ps);
    return out;
  },
  // eslint-disable-next-line max-lines-per-function -- the fused clip + update kernel: one loop per parameter, TF1's op order
  run: (ins, _shapes, outs, a) => {
    const n = a.n;
    const params = ins.slice(0, n);
    const grads = ins.slice(n, 2 * n);
    const slots = Array.from({ length: a.slots }, (_, k) => ins.slice(2 * n + k * n, 2 * n + (k + 1) * n));
    let o = 0;
    let clipped = grads;
    if (a.clipMode !== 'none') {
      clipped = outs.slice(0, n);
      o = n;
      const c = f(a.clipNorm);
      if (a.clipMode === 'perTensor') {
        for (let i = 0; i < n; i++) {
          const g = grads[i]!;
          const l2sum = eigenSumOfSquares(g);
          const l2norm = l2sum > 0 ? f(Math.sqrt(l2sum)) : l2sum;
          const den = Math.max(l2norm, c);
          const out = clipped[i]!;
          for (let j = 0; j < g.length; j++) out[j] = f(f(g[j]! * c) / den);
        }
      } else {
        // global_norm: one L2Loss (½Σt²) per tensor, their sum, then sqrt(sum · 2).
        const halves = grads.map((g) => eigenHalfSumOfSquares(g));
        const gn = f(Math.sqrt(f(eigenSum(n, (i) => halves[i]!) * 2)));
        // TF adds (norm − norm) so a non-finite global norm makes every gradient NaN.
        const scale = f(f(c * Math.min(f(1 / gn), f(1 / c))) + f(gn - gn));
        outs[o]![0] = gn;
        o++;
        for (let i = 0; i < n; i++) {
          const g = grads[i]!;
          const out = clipped[i]!;
          for (let j = 0; j < g.length; j++) out[j] = f(g[j]! * scale);
        }
      }
    }
    const newSlots = Array.from({ length: a.slots }, (_, k) => outs.slice(o + k * n, o + (k + 1) * n));
    const newParams = outs.slice(o + a.slots * n, o + (a.slots + 1) * n);
    const opt = a.opt;
    for (let i = 0; i < n; i++) {
      const p = params[i]!;
      const g = clipped[i]!;
      const np = newParams[i]!;
      if (opt.type === 'rmsprop') {
        const ms = slots[0]![i]!;
        const nms = newSlots[0]![i]!;
        const k = oneMinus(opt.decay);
        const lr = f(opt.lr);
        const eps = f(opt.epsilon);
        const mom = a.slots > 1 ? slots[1]![i]! : undefined;
        const nmom = a.slots > 1 ? newSlots[1]![i]! : undefined;
        const mu = f(opt.momentum);
        for (let j = 0; j < p.length; j++) {
          const m = f(ms[j]! + f(f(f(g[j]! * g[j]!) - ms[j]!) * k));
          nms[j] = m;
          const den = opt.epsilonPlacement === 'inside' ? f(Math.sqrt(f(m + eps))) : f(f(Math.sqrt(m)) + eps);
          let step = f(f(g[j]! * lr) / den);
          if (nmom) {
            step = f(f(mom![j]! * mu) + step);
            nmom[j] = step;
          }
          np[j] = f(p[j]! - step);
        }
      } else if (opt.type === 'adam') {
        const m0 = slots[0]![i]!;
        const v0 = slots[1]![i]!;
        const m1 = newSlots[0]![i]!;
        const v1 = newSlots[1]![i]!;
        const k1 = oneMinus(opt.beta1);
        const k2 = oneMinus(opt.beta2);
        const lrT = f(a.lrT);
        const eps = f(opt.epsilon);
        for (let j = 0; j < p.length; j++) {
          const m = f(m0[j]! + f(f(g[j]! - m0[j]!) * k1));
          const v = f(v0[j]! + f(f(f(g[j]! * g[j]!) - v0[j]!) * k2));
          m1[j] = m;
          v1[j] = v;
          np[j] = f(p[j]! - f(f(m * lrT) / f(f(Math.sqrt(v)) + eps)));
        }
      } else {
        const lr = f(opt.lr);
        if (opt.momentum > 0) {
          const acc = slots[0]![i]!;
          const nacc = newSlots[0]![i]!;
          const mu = f(opt.momentum);
          for (let j = 0; j < p.length; j++) {
            const a2 = f(f(acc[j]! * mu) + g[j]!);
            nacc[j] = a2;
            np[j] = f(p[j]! - f(a2 * lr));
          }
        } else {
          for (let j = 0; j < p.length; j++) np[j] = f(p[j]! - f(g[j]! * lr));
        }
      }
    }
    if (!a.emitSteps) return;
    const steps = outs.slice(o + (a.slots + 1) * n);
    for (let i = 0; i < n; i++) {
      const p = params[i]!;
      const np = newParams[i]!;
      const st = steps[i]!;
      for (let j = 0; j < p.length; j++) st[j] = f(np[j]! - p[j]!);
    }
  },
});
