import { registerJsKernel } from '../engine/js-kernel.js';
import type { Config, OptimizerConfig } from '../config/schema.js';
import { adamEpsilon, adamStepSize, decayFactor, eigenHalfSumOfSquares, eigenSum, eigenSumOfSquares, oneMinus } from './tf1-arith.js';
import { kernelMemoryFor, wasmKernelsAvailable, type KernelMemory } from '../engine/wasm-kernels.js';

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
  /** Adam's ε for this iteration (`adamEpsilon`: PyTorch's is scaled by √(1−β2ᵗ)); the config's ε when absent. */
  epsT?: number;
  /** Also output each parameter's step θ_new − θ_old (for the watchdog's update-to-weight ratio). */
  emitSteps?: boolean;
}

const f = Math.fround;

/**
 * The kernel's attributes for one step at 1-based `iteration`: the config's clipping and
 * optimizer, and Adam's per-step constants (0 for the other rules).
 */
export function updateAttrs(
  config: Pick<Config, 'optimizer' | 'clip'>,
  n: number,
  slots: number,
  iteration: number,
  emitSteps: boolean,
): UpdateAttrs {
  const opt = config.optimizer;
  const adam = opt.type === 'adam';
  return {
    n,
    slots,
    clipMode: config.clip.mode,
    clipNorm: config.clip.norm,
    opt,
    lrT: adam ? adamStepSize(opt.lr, opt.beta1, opt.beta2, iteration) : 0,
    epsT: adam ? adamEpsilon(opt.epsilon, opt.beta2, iteration, opt.biasCorrectedEpsilon) : 0,
    emitSteps,
  };
}

/**
 * The loops of the update, per parameter: in JS (`JS_LOOPS`, any runtime) or in our WebAssembly
 * SIMD kernels (`wasmLoops`, assembly/update.ts, reading and writing the tensors in place on the
 * wasm backend). The same operations in the same order: a test holds the two equal bit for bit.
 */
export interface UpdateLoops {
  /** Σ t² (or Σ ½t², `half`) in Eigen's order. */
  sumSq(t: Float32Array, half: boolean): number;
  clipScale(g: Float32Array, out: Float32Array, c: number, den: number): void;
  scaleBy(g: Float32Array, out: Float32Array, s: number): void;
  rmsprop(p: Float32Array, g: Float32Array, ms: Float32Array, mom: Float32Array | undefined, out: RmsOut, h: RmsConsts): void;
  adam(p: Float32Array, g: Float32Array, m0: Float32Array, v0: Float32Array, out: AdamOut, h: AdamConsts): void;
  sgd(
    p: Float32Array,
    g: Float32Array,
    acc: Float32Array | undefined,
    np: Float32Array,
    nacc: Float32Array | undefined,
    lr: number,
    mu: number,
  ): void;
  subtract(a: Float32Array, b: Float32Array, out: Float32Array): void;
}
interface RmsOut {
  np: Float32Array;
  nms: Float32Array;
  nmom?: Float32Array;
}
interface RmsConsts {
  k: number;
  lr: number;
  eps: number;
  mu: number;
  inside: boolean;
}
interface AdamOut {
  np: Float32Array;
  m1: Float32Array;
  v1: Float32Array;
}
interface AdamConsts {
  k1: number;
  k2: number;
  lrT: number;
  eps: number;
}

export const JS_LOOPS: UpdateLoops = {
  sumSq: (t, half) => (half ? eigenHalfSumOfSquares(t) : eigenSumOfSquares(t)),
  clipScale: (g, out, c, den) => {
    for (let j = 0; j < g.length; j++) out[j] = f(f(g[j]! * c) / den);
  },
  scaleBy: (g, out, s) => {
    for (let j = 0; j < g.length; j++) out[j] = f(g[j]! * s);
  },
  rmsprop: (p, g, ms, mom, { np, nms, nmom }, { k, lr, eps, mu, inside }) => {
    for (let j = 0; j < p.length; j++) {
      const m = f(ms[j]! + f(f(f(g[j]! * g[j]!) - ms[j]!) * k));
      nms[j] = m;
      const den = inside ? f(Math.sqrt(f(m + eps))) : f(f(Math.sqrt(m)) + eps);
      let step = f(f(g[j]! * lr) / den);
      if (nmom) {
        step = f(f(mom![j]! * mu) + step);
        nmom[j] = step;
      }
      np[j] = f(p[j]! - step);
    }
  },
  adam: (p, g, m0, v0, { np, m1, v1 }, { k1, k2, lrT, eps }) => {
    for (let j = 0; j < p.length; j++) {
      const m = f(m0[j]! + f(f(g[j]! - m0[j]!) * k1));
      const v = f(v0[j]! + f(f(f(g[j]! * g[j]!) - v0[j]!) * k2));
      m1[j] = m;
      v1[j] = v;
      np[j] = f(p[j]! - f(f(m * lrT) / f(f(Math.sqrt(v)) + eps)));
    }
  },
  sgd: (p, g, acc, np, nacc, lr, mu) => {
    for (let j = 0; j < p.length; j++) {
      let d = g[j]!;
      if (nacc) {
        d = f(f(acc![j]! * mu) + d);
        nacc[j] = d;
      }
      np[j] = f(p[j]! - f(d * lr));
    }
  },
  subtract: (a, b, out) => {
    for (let j = 0; j < a.length; j++) out[j] = f(a[j]! - b[j]!);
  },
};

/** The same loops in the SIMD kernels, on memory `w` (begun by the caller, ended after the last). */
export function wasmLoops(w: KernelMemory): UpdateLoops {
  const i = (v: Float32Array | undefined) => (v ? w.input(v) : 0);
  const o = (v: Float32Array | undefined) => (v ? w.output(v) : 0);
  return {
    sumSq: (t, half) => w.k.eigenSumSq(i(t), 0, t.length, half ? 1 : 0),
    clipScale: (g, out, c, den) => w.k.clipScale(i(g), o(out), g.length, c, den),
    scaleBy: (g, out, s) => w.k.scaleBy(i(g), o(out), g.length, s),
    rmsprop: (p, g, ms, mom, r, h) =>
      w.k.rmsprop(
        i(p),
        i(g),
        i(ms),
        i(mom),
        o(r.np),
        o(r.nms),
        o(r.nmom),
        p.length,
        h.k,
        h.lr,
        h.eps,
        h.mu,
        h.inside ? 1 : 0,
        r.nmom ? 1 : 0,
      ),
    adam: (p, g, m0, v0, r, h) => w.k.adam(i(p), i(g), i(m0), i(v0), o(r.np), o(r.m1), o(r.v1), p.length, h.k1, h.k2, h.lrT, h.eps),
    sgd: (p, g, acc, np, nacc, lr, mu) => w.k.sgd(i(p), i(g), i(acc), o(np), o(nacc), p.length, lr, mu, nacc ? 1 : 0),
    subtract: (a, b, out) => w.k.subtract(i(a), i(b), o(out), a.length),
  };
}

let simdUpdate = wasmKernelsAvailable();

/** Whether the update runs its SIMD loops. */
export function simdUpdateOn(): boolean {
  return simdUpdate;
}

/** Switches the update's SIMD loops off (the JS twin then runs): tests compare the two. */
export function setSimdUpdate(on: boolean): void {
  simdUpdate = on && wasmKernelsAvailable();
}

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
  run: (ins, _shapes, outs, a) => {
    if (!simdUpdate) return clipAndUpdate(ins, outs, a, JS_LOOPS);
    const w = kernelMemoryFor(ins[0]!);
    clipAndUpdate(ins, outs, a, wasmLoops(w));
    w.end();
  },
});

/** The clip and update of every parameter: ins and outs as the kernel's (see its output order). */
export function clipAndUpdate(ins: Float32Array[], outs: Float32Array[], a: UpdateAttrs, loops: UpdateLoops): void {
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
        const l2sum = loops.sumSq(grads[i]!, false);
        const l2norm = l2sum > 0 ? f(Math.sqrt(l2sum)) : l2sum;
        loops.clipScale(grads[i]!, clipped[i]!, c, Math.max(l2norm, c));
      }
    } else {
      // global_norm: one L2Loss (½Σt²) per tensor, their sum, then sqrt(sum · 2).
      const halves = grads.map((g) => loops.sumSq(g, true));
      const gn = f(Math.sqrt(f(eigenSum(n, (i) => halves[i]!) * 2)));
      // TF adds (norm − norm) so a non-finite global norm makes every gradient NaN.
      const scale = f(f(c * Math.min(f(1 / gn), f(1 / c))) + f(gn - gn));
      outs[o]![0] = gn;
      o++;
      for (let i = 0; i < n; i++) loops.scaleBy(grads[i]!, clipped[i]!, scale);
    }
  }
  const newSlots = Array.from({ length: a.slots }, (_, k) => outs.slice(o + k * n, o + (k + 1) * n));
  const newParams = outs.slice(o + a.slots * n, o + (a.slots + 1) * n);
  const opt = a.opt;
  for (let i = 0; i < n; i++) {
    const [p, g, np] = withWeightDecay(opt, params[i]!, clipped[i]!, newParams[i]!);
    if (opt.type === 'rmsprop') {
      const consts = {
        k: oneMinus(opt.decay),
        lr: f(opt.lr),
        eps: f(opt.epsilon),
        mu: f(opt.momentum),
        inside: opt.epsilonPlacement === 'inside',
      };
      const mom = a.slots > 1 ? slots[1]![i]! : undefined;
      loops.rmsprop(p, g, slots[0]![i]!, mom, { np, nms: newSlots[0]![i]!, nmom: mom && newSlots[1]![i]! }, consts);
    } else if (opt.type === 'adam') {
      const consts = { k1: oneMinus(opt.beta1), k2: oneMinus(opt.beta2), lrT: f(a.lrT), eps: f(a.epsT ?? opt.epsilon) };
      loops.adam(p, g, slots[0]![i]!, slots[1]![i]!, { np, m1: newSlots[0]![i]!, v1: newSlots[1]![i]! }, consts);
    } else {
      const acc = opt.momentum > 0 ? slots[0]![i]! : undefined;
      loops.sgd(p, g, acc, np, acc && newSlots[0]![i]!, f(opt.lr), f(opt.momentum));
    }
  }
  if (!a.emitSteps) return;
  const steps = outs.slice(o + (a.slots + 1) * n);
  for (let i = 0; i < n; i++) loops.subtract(newParams[i]!, params[i]!, steps[i]!);
}

/**
 * PyTorch's weight decay before the update rule (train/optimizers.ts's withWeightDecay, rounded
 * the same way): coupled, the gradient the rule sees is g + λ·θ; decoupled (AdamW), θ·(1 − lr·λ)
 * is what it updates. The decayed values are written into the new parameters' array (in the
 * kernel's memory, as heap-bound loops need), which the rule then reads and overwrites index by
 * index: every loop reads element j before it writes element j.
 */
function withWeightDecay(
  opt: UpdateAttrs['opt'],
  p: Float32Array,
  g: Float32Array,
  np: Float32Array,
): [Float32Array, Float32Array, Float32Array] {
  const wd = opt.weightDecay;
  if (!wd) return [p, g, np];
  if (opt.type === 'adam' && opt.decoupledWeightDecay) {
    const k = decayFactor(opt.lr, wd);
    for (let j = 0; j < p.length; j++) np[j] = f(p[j]! * k);
    return [np, g, np];
  }
  const l = f(wd);
  for (let j = 0; j < p.length; j++) np[j] = f(g[j]! + f(l * p[j]!));
  return [p, np, np];
}
