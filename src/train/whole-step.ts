import type { tf } from '../util/tfjs.js';
import { hasJsKernel, registerJsKernel } from '../engine/js-kernel.js';
import { callKernel, type Fused } from '../engine/fused-call.js';
import { FUSED_ACTIVATIONS } from '../engine/dense-wn-kernels.js';
import { isTranscendental } from '../engine/transcendental.js';
import { denseBackwardAt, denseForwardAt, SELU_SA } from '../engine/dense-layer-kernels.js';
import { SELU_SCALE } from '../model/activations.js';
import { kernelMemoryFor, wasmKernelsAvailable, type KernelMemory } from '../engine/wasm-kernels.js';
import { kernelThreads } from '../engine/matmul-pool.js';
import { dropoutMask } from '../engine/dropout-mask.js';
import { copyRow } from '../util/copy-row.js';
import { NUM_STATS, statsRows } from '../watch/health-kernel.js';
import type { Tap } from '../watch/tap.js';
import { clipAndUpdate, JS_LOOPS, simdUpdateOn, updateAttrs, wasmLoops, type UpdateAttrs } from './update-kernel.js';
import { makePlan, NORM_BATCH_EVAL, NORM_BATCH_TRAIN, outputOf, type Plan, type Region } from './whole-step-plan.js';
import type { StepContext, StepInputs, StepOutput, TrainState } from './step-types.js';

/**
 * The whole training step as one kernel call: both forward passes, the target and the loss, the
 * backward pass, clipping, the optimizer update and, when watched, the statistics of every watch
 * point — all in our WebAssembly SIMD kernels (assembly/), every intermediate in one workspace
 * that never becomes a tfjs tensor. Only the new parameters and slots, the loss and the [points ×
 * stats] table come out. The same kernels in the same order as the per-layer path
 * (train/step.ts over engine/dense-layer-kernels.ts), so the two give the same numbers bit for bit
 * (test/train/whole-step.test.ts); run in lockstep (train/ensemble.ts) one dispatch steps every
 * member. Covers every critic of dense or denseWN layers with a fused activation, with or without
 * batch or layer normalisation, the MSE or Huber loss, return normalisation, an added L1/L2
 * penalty, any optimizer and clipping. (Where the per-layer path is composed tfjs ops —
 * normalisation, Huber, return normalisation, the penalty — the two agree to float32 rounding,
 * not bit for bit.)
 */
export const WHOLE_STEP_KERNEL = 'CriticDoctorWholeStep';

interface StepAttrs {
  plan: Plan;
  config: StepContext['config'];
  update: UpdateAttrs;
  watch: boolean;
  limit: number;
  /** Run on the shared memory, every large product split over two threads (engine/matmul-pool.ts). */
  twoThreads: boolean;
  /** The step's iteration (dropout masks are drawn from it). */
  iteration: number;
}

/** A step of this many FLOP in its products or more (a 256-wide Q critic: ~110 M) is worth a second thread and the copies. */
const TWO_THREAD_FLOPS = 8e6;

const PLANS = new WeakMap<StepContext, Map<string, Plan>>();

/** Whether the whole step runs as one kernel call for this member (else the per-layer path). */
export function wholeStepApplies(ctx: StepContext, state: TrainState): boolean {
  const { spec } = ctx;
  return (
    hasJsKernel(WHOLE_STEP_KERNEL) &&
    // smooth_l1 is composed tfjs ops (train/loss.ts), on the per-layer path.
    ctx.config.loss !== 'smooth_l1' &&
    (state.buffers ?? []).length === spec.bufferNames.length &&
    spec.layers.every((l) => FUSED_ACTIVATIONS.has(l.activation.name))
  );
}

/** The step as one kernel call (a fused computation: alone or in lockstep). With a tap, its points and statistics. */
export function* wholeStepSteps(ctx: StepContext, state: TrainState, inputs: StepInputs, tap?: Tap): Fused<StepOutput> {
  const B = inputs.states.shape[0];
  const key = `${B}/${inputs.nextStates ? 1 : 0}/${state.target ? 1 : 0}`;
  let plans = PLANS.get(ctx);
  if (!plans) PLANS.set(ctx, (plans = new Map()));
  let plan = plans.get(key);
  if (!plan) plans.set(key, (plan = makePlan(ctx, B, !!inputs.nextStates, !!state.target)));
  const update = updateAttrs(ctx.config, plan.n, plan.slots, state.iteration + 1, !!tap);
  const ins: tf.Tensor[] = [inputs.states, inputs.partial, inputs.discount, ...(inputs.nextStates ? [inputs.nextStates] : [])];
  ins.push(...state.params, ...state.slots.flat(), ...(state.target ?? []), ...(state.buffers ?? []));
  const twoThreads = kernelThreads() === 2 && productFlops(plan) >= TWO_THREAD_FLOPS;
  const limit = ctx.config.watch.explosionThreshold;
  const attrs: StepAttrs = { plan, config: ctx.config, update, watch: !!tap, limit, twoThreads, iteration: state.iteration };
  const out = yield* callKernel(WHOLE_STEP_KERNEL, ins, attrs);
  const { n, slots, buffers } = plan;
  const lossAt = n + slots * n;
  if (tap) {
    if (!tap.points.length) tap.points.push(...plan.points);
    tap.stats = out[lossAt + 1 + buffers] as tf.Tensor2D;
  }
  return {
    params: out.slice(0, n),
    slots: Array.from({ length: slots }, (_, k) => out.slice(n + k * n, n + (k + 1) * n)),
    loss: out[lossAt] as tf.Scalar,
    buffers: out.slice(lossAt + 1, lossAt + 1 + buffers),
  };
}

/** 2·M·K·N over the step's products: x·V per layer (both passes), xᵀ·dXv per layer, dXv·Vᵀ for all but the first. */
function productFlops(plan: Plan): number {
  const passes = plan.nextIn !== undefined ? 2 : 1;
  return plan.layers.reduce((s, L, i) => s + 2 * plan.B * L.I * L.U * (passes + 1 + (i > 0 ? 1 : 0)), 0);
}

/** Byte addresses of a call's regions. */
type Addr = (r: Region) => number;

/** x·V, ‖V‖, scaler, pre-activation and activation of every layer, from input `x0` with parameters at `param(i)`. */
function forward(
  w: KernelMemory,
  plan: Plan,
  x0: number,
  param: (i: number) => number,
  which: 'fwd' | 'boot',
  at: Addr,
  buffer: (i: number) => number,
  step: { seed: number; iteration: number },
): void {
  let x = x0;
  const { B } = plan;
  for (const L of plan.layers) {
    const f = L[which]!;
    const [pre, act] = [at(f.pre), at(f.act)];
    if (L.cat) x = gatherCat(w, at(L.cat[which]!), x, x0, B, L.I, L.cat);
    const dense = { x, V: param(L.v), b: param(L.b), g: L.wn ? param(L.g!) : 0, xv: at(f.xv) };
    const wn = { norm: L.wn ? at(f.norm!) : 0, scaler: L.wn ? at(f.scaler!) : 0 };
    const layer = { B, I: L.I, U: L.U, weightNorm: L.wn, act: L.act, alpha: L.alpha, xStride: L.xStride };
    const np = L.normP;
    if (!np) {
      denseForwardAt(w, { ...dense, ...wn, pre, act }, layer);
    } else {
      // scaler·x·V + b, then the normalisation, then the nonlinearity (norm-layer.ts's order).
      const preNorm = at(f.preNorm!);
      denseForwardAt(w, { ...dense, ...wn, pre: preNorm, act: preNorm }, { ...layer, act: 'linear', alpha: 0 });
      // Evaluation (v(s′)) normalises a batch-norm layer with its moving averages.
      const moving = which === 'boot' && np.kind === NORM_BATCH_TRAIN;
      const [mean, variance] = moving ? [buffer(np.meanBuffer!), buffer(np.varianceBuffer!)] : [at(f.mean!), at(f.variance!)];
      const kind = moving ? NORM_BATCH_EVAL : np.kind;
      w.k.normForward(preNorm, param(np.gamma), param(np.beta), mean, variance, at(f.invStd!), at(f.xhat!), pre, B, L.U, kind, np.eps);
      w.k.activate(pre, act, B * L.U, L.code, L.alpha);
      // exp and tanh in JS, over the whole array (the kernel left act = pre).
      if (isTranscendental(L.code)) w.activateJs(L.code, L.alpha, pre, act, B * L.U);
    }
    x = act;
    // Dropout, training pass only: the step's mask (engine/dropout-mask.ts), the next layer takes act × mask.
    const d = L.drop;
    if (d && which === 'fwd') {
      const n = B * L.U;
      const mask = w.viewAt(at(d.mask), n);
      mask.set(dropoutMask(step.seed, step.iteration, d.layer, n, d.rate));
      multiplyInto(w.viewAt(act, n), mask, w.viewAt(at(d.out), n));
      x = at(d.out);
    }
    // A residual connection: this layer's output + the earlier layer's, the next layer's input.
    if (L.res) x = sumInto(w, at(L.res[which]!), x, at(outputOf(plan.layers[L.res.from]!, which)), B * L.U);
  }
}

/**
 * dst = a + b in float32 (a residual sum, a residual's gradient): a copied into dst, then the
 * kernels' own addInto (SIMD f32 adds: the same bits as the per-layer path's tf.add). Returns dst.
 */
function sumInto(w: KernelMemory, dst: number, a: number, b: number, n: number): number {
  if (dst !== a) w.viewAt(dst, n).set(w.viewAt(a, n));
  w.k.addInto(dst, b, n);
  return dst;
}

/** out = a × b elementwise in float32 (dropout's output, and its gradient, from the mask). */
function multiplyInto(a: Float32Array, b: Float32Array, out: Float32Array): void {
  for (let k = 0; k < out.length; k++) out[k] = Math.fround(a[k]! * b[k]!);
}

/**
 * cat([h, action], 1) into `dst` (B × I): each row the previous layer's output `h` (I − A wide),
 * then the last A entries of the input row at `x0` (the action, after the state). A copy: the
 * entries are the tensors' own, bit for bit, as tf.concat gives them on the per-layer path.
 */
function gatherCat(w: KernelMemory, dst: number, h: number, x0: number, B: number, I: number, c: { A: number; rowWidth: number }): number {
  const H = I - c.A;
  const W = c.rowWidth;
  const out = w.viewAt(dst, B * I);
  const hv = w.viewAt(h, B * H);
  const xv = w.viewAt(x0, B * W);
  for (let r = 0; r < B; r++) {
    copyRow(hv, r * H, out, r * I, H);
    copyRow(xv, (r + 1) * W - c.A, out, r * I + H, c.A);
  }
  return dst;
}

/** Every layer's gradients, last layer first (the per-layer backward kernel's calls, in its order). */
function backward(w: KernelMemory, plan: Plan, x0: number, param: (i: number) => number, at: Addr): void {
  const f = Math.fround;
  for (let i = plan.layers.length - 1; i >= 0; i--) {
    const L = plan.layers[i]!;
    const x = i === 0 ? x0 : L.cat ? at(L.cat.fwd) : at(outputOf(plan.layers[i - 1]!, 'fwd'));
    if (L.dSum) {
      // The output's gradient: the next layer's dX (or dv), then each later layer's that adds this output, in order.
      const n = plan.B * L.U;
      const next = i === plan.layers.length - 1 ? plan.dv : plan.layers[i + 1]!.dX!;
      let acc = at(next);
      for (const o of plan.layers) if (o.res?.from === i) acc = sumInto(w, at(L.dSum), acc, at(o.dY), n);
    }
    if (L.drop) {
      // Through dropout: dAct = dOut × mask.
      const n = plan.B * L.U;
      multiplyInto(w.viewAt(at(L.drop.dOut!), n), w.viewAt(at(L.drop.mask), n), w.viewAt(at(L.dAct), n));
    }
    const wn = L.wn;
    const o = (r: Region | undefined) => (r ? at(r) : 0);
    const np = L.normP;
    const selu = [f(SELU_SCALE), f(SELU_SA)];
    // With normalisation: the nonlinearity's backward, the normalisation's, then the dense part's
    // with a linear activation (its dPre a copy of the normalisation's input gradient).
    if (np) {
      const n = plan.B * L.U;
      w.k.activateBackward(at(L.fwd.pre), at(L.fwd.act), at(L.dAct), at(L.dPre), n, L.code, f(L.alpha), selu[0]!, selu[1]!);
      w.k.normBackward(
        ...[at(L.dPre), at(L.fwd.xhat!), at(L.fwd.invStd!), param(np.gamma), at(np.dPreNorm), at(np.dGamma), at(np.dBeta)],
        ...[at(np.dxhat), at(np.s1), at(np.s2), plan.B, L.U, np.kind],
      );
    }
    denseBackwardAt(
      w,
      {
        ...{ dAct: np ? at(np.dPreNorm) : at(L.dAct), pre: at(L.fwd.pre), act: at(L.fwd.act), x, V: param(L.v), xv: at(L.fwd.xv) },
        ...{ scaler: o(L.fwd.scaler), norm: o(L.fwd.norm), g: wn ? param(L.g!) : 0, dPre: np ? at(np.denseDPre) : at(L.dPre) },
        ...{ db: at(L.db), dScaler: o(L.dScaler), dXv: at(L.dXv), dg: o(L.dg), dV: at(L.dV), dX: o(L.dX) },
        ...{ dVNorm: o(L.dVNorm), vt: o(L.vt) },
      },
      {
        ...{ B: plan.B, I: L.I, U: L.U, weightNorm: wn, act: np ? 'linear' : L.act, alpha: L.alpha },
        ...{ xStride: L.xStride, dXCols: L.dX?.shape[1] },
      },
    );
  }
}

/**
 * tf.contrib's regularizers added to the loss, as loss.ts's `regularization` composes them:
 * penalty = Σ over parameters of l1·Σ|w| and l2·Σw²/2 (each sum in float32 from the first entry,
 * the terms added in that order), loss += penalty, and each gradient += l1·sign(w) + l2·w.
 */
function addPenalty(reg: { l1: number; l2: number }, params: Float32Array[], plan: Plan, view: (r: Region) => Float32Array): void {
  const f = Math.fround;
  const [l1, l2, half] = [f(reg.l1), f(reg.l2), f(reg.l2 / 2)];
  let penalty = 0;
  let first = true;
  const add = (term: number) => {
    penalty = first ? term : f(penalty + term);
    first = false;
  };
  params.forEach((p, i) => {
    const g = view(plan.grads[i]!);
    const total = view(plan.totalGrads![i]!);
    let sa = 0;
    let sq = 0;
    for (let j = 0; j < p.length; j++) {
      const x = p[j]!;
      let r = 0;
      if (reg.l1 > 0) {
        sa = f(sa + Math.abs(x));
        r = f(0 + f((x > 0 ? 1 : x < 0 ? -1 : 0) * l1));
      }
      if (reg.l2 > 0) {
        sq = f(sq + f(x * x));
        r = f(r + f(x * l2));
      }
      total[j] = f(g[j]! + r);
    }
    if (reg.l1 > 0) add(f(sa * l1));
    if (reg.l2 > 0) add(f(sq * half));
  });
  view(plan.penalty!)[0] = penalty;
  const loss = view(plan.loss);
  loss[0] = f(loss[0]! + penalty);
}

function runStep(ins: Float32Array[], outs: Float32Array[], a: StepAttrs, tmp: Float32Array): void {
  const { plan } = a;
  // On two threads the call's arrays are copied into the shared memory: its size is known first.
  const bytes = 4 * (a.plan.wsSize + ins.reduce((n, v) => n + v.length, 0) + outs.reduce((n, v) => n + v.length, 0));
  const w = kernelMemoryFor(ins[0]!, a.twoThreads, bytes);
  // Every address first (on a memory of its own, placing arrays may grow it); views after.
  const inP = ins.map((v) => w.input(v));
  const outP = outs.map((v) => w.output(v));
  const ws = w.temp(tmp);
  const at: Addr = (r) => (r.at === 'ws' ? ws + 4 * r.index : r.at === 'in' ? inP[r.index]! : outP[r.index]!);
  const view = (r: Region) => w.viewAt(at(r), r.size);
  const params = (base: number) => (i: number) => inP[base + i]!;
  const inViews = (from: number, count: number) => Array.from({ length: count }, (_, i) => w.viewAt(inP[from + i]!, ins[from + i]!.length));

  const buffer = (i: number) => inP[plan.bufferIn + i]!;
  const step = { seed: a.config.seed, iteration: a.iteration };
  forward(w, plan, inP[0]!, params(plan.paramIn), 'fwd', at, buffer, step);
  const v = at(plan.layers[plan.layers.length - 1]!.fwd.act);
  if (plan.nextIn !== undefined) {
    // PPO's separate sess.run: v(s′) as a constant, from the target network where there is one.
    forward(w, plan, inP[plan.nextIn]!, params(plan.targetIn ?? plan.paramIn), 'boot', at, buffer, step);
    w.k.bootstrapTarget(inP[1]!, inP[2]!, at(plan.layers[plan.layers.length - 1]!.boot!.act), at(plan.target), plan.B);
  }
  const config = a.config;
  const rn = config.data.returnNormalization;
  if (rn) w.k.returnNormalize(at(plan.target), at(plan.normTarget!), plan.B, rn.epsilon);
  const t = at(plan.normTarget ?? plan.target);
  if (config.loss === 'huber') w.k.huber(t, v, at(plan.error), at(plan.loss), at(plan.dv), plan.B, config.huberDelta);
  else w.k.mse(t, v, at(plan.error), at(plan.loss), at(plan.dv), plan.B, Math.fround(1 / plan.B));
  backward(w, plan, inP[0]!, params(plan.paramIn), at);
  if (plan.penalty) addPenalty(config.regularization, inViews(plan.paramIn, plan.n), plan, view);

  // Clipping and the optimizer: the update kernel's own loops, on views of this call's memory.
  const { n, slots } = plan;
  const outViews = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => w.viewAt(outP[from + i]!, outs[from + i]!.length));
  const updIns = [...inViews(plan.paramIn, n), ...(plan.totalGrads ?? plan.grads).map(view), ...inViews(plan.paramIn + n, slots * n)];
  const updOuts = [
    ...(a.update.clipMode !== 'none' ? plan.clipped.map(view) : []),
    ...(plan.globalNorm ? [view(plan.globalNorm)] : []),
    ...outViews(n, slots * n),
    ...outViews(0, n),
    ...(a.watch ? plan.steps.map(view) : []),
  ];
  clipAndUpdate(updIns, updOuts, a.update, simdUpdateOn() ? wasmLoops(w) : JS_LOOPS);

  // Batch norm's moving averages: m ← μ·m + (1 − μ)·(this batch's statistic).
  const lossAt = n + slots * n;
  for (const L of plan.layers) {
    const np = L.normP;
    if (np?.meanBuffer === undefined) continue;
    const mu = Math.fround(np.momentum);
    const rest = Math.fround(1 - np.momentum);
    w.k.movingAverage(buffer(np.meanBuffer), at(L.fwd.mean!), outP[lossAt + 1 + np.meanBuffer]!, L.U, mu, rest);
    w.k.movingAverage(buffer(np.varianceBuffer!), at(L.fwd.variance!), outP[lossAt + 1 + np.varianceBuffer!]!, L.U, mu, rest);
  }

  if (a.watch) {
    const stats = w.viewAt(outP[lossAt + 1 + plan.buffers]!, plan.watched.length * NUM_STATS);
    const p = plan.points;
    const modes = p.map((q) => q.inactivity);
    const thresholds = p.map((q) => q.saturationThreshold);
    const shapes = plan.watched.map((r) => r.shape);
    statsRows(stats, plan.watched.map(view), shapes, modes, thresholds, a.limit, view(plan.statsTmp), w);
  }
  w.end();
}

if (wasmKernelsAvailable()) {
  registerJsKernel<StepAttrs>({
    name: WHOLE_STEP_KERNEL,
    // inputs: states, partial, discount, [nextStates], params × n, slot k of each param, [target params × n], buffers
    // outputs: params × n, slot k of each param, loss, buffers, [stats]
    outShapes: (shapes, a) => {
      const ps = shapes.slice(a.plan.paramIn, a.plan.paramIn + a.plan.n);
      const bs = shapes.slice(a.plan.bufferIn, a.plan.bufferIn + a.plan.buffers);
      const stats = a.watch ? [[a.plan.watched.length, NUM_STATS]] : [];
      return [...ps, ...Array.from({ length: a.plan.slots }, () => ps).flat(), [], ...bs, ...stats];
    },
    scratch: (_shapes, a) => a.plan.wsSize,
    run: (ins, _shapes, outs, a, tmp) => runStep(ins, outs, a, tmp),
  });
}
