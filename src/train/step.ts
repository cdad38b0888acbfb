import { tf } from '../util/tfjs.js';
import type { Config } from '../config/schema.js';
import type { CriticSpec } from '../model/critic.js';
import { criticForwardSteps, criticValueSteps, layerParams } from '../engine/critic-forward.js';
import { denseBackwardSteps, type LayerBackward, type LayerForward } from '../engine/dense-wn.js';
import type { Tap } from '../watch/tap.js';
import { clipGradients } from './clip.js';
import { huberLoss, mseLoss, regularization, smoothL1Loss } from './loss.js';
import { normMomentum } from '../engine/norm-layer.js';
import type { Optimizer } from './optimizers.js';
import { hasJsKernel } from '../engine/js-kernel.js';
import { callKernel, runFused, type Fused } from '../engine/fused-call.js';
import { tapStep } from './step-taps.js';
import { UPDATE_KERNEL, updateAttrs } from './update-kernel.js';
import { MSE_KERNEL } from './loss-kernel.js';
import { wholeStepApplies, wholeStepSteps } from './whole-step.js';
import { twinStepSteps } from './twin-step.js';
import type { LossParts, StepContext, StepInputs, StepOutput, TrainState, Update } from './step-types.js';

/**
 * One training step as the seed's TF1 graph runs it: forward, `closs = mean((target − v)²)`
 * (+ the regularizer only if `addToLoss`), gradients, clipping, optimizer update. With a `tap`,
 * every intermediate the watchdog checks is handed to it afterwards, in execution order
 * (step-taps.ts). Call inside tf.tidy; returns the new parameters and slots (the caller disposes
 * the old ones).
 */
export function trainStep(ctx: StepContext, state: TrainState, inputs: StepInputs, tap?: Tap): StepOutput {
  return runFused(trainStepSteps(ctx, state, inputs, tap));
}

/**
 * `trainStep` as a fused computation (engine/fused-call.ts): run alone it is `trainStep`; run in
 * lockstep with other members' steps, their JS kernel calls share dispatches (train/ensemble.ts).
 */
export function* trainStepSteps(ctx: StepContext, state: TrainState, inputs: StepInputs, tap?: Tap): Fused<StepOutput> {
  // Several critics (twin Q heads): the minimum of their bootstrap values, then each head's own step.
  if (ctx.spec.heads > 1) return yield* twinStepSteps(ctx, state, inputs, trainStepSteps, tap);
  // The whole step in one kernel, unless the tap wants the step's tensors themselves.
  if ((!tap || tap.statsOnly) && wholeStepApplies(ctx, state)) return yield* wholeStepSteps(ctx, state, inputs, tap);
  const { spec, config } = ctx;
  const buffers = state.buffers ?? [];
  // denseWN per layer: x·V; scaler = g/sqrt(ΣV²); scaler·x + b; nonlinearity.
  const fwd = yield* criticForwardSteps(spec, state.params, inputs.states, buffers, false, {
    seed: config.seed,
    iteration: state.iteration,
  });
  const v = fwd[fwd.length - 1]!.act;
  // closs = mean((discounted_r − v)²)
  const lossParts = yield* criticLoss(config, spec, state, inputs, v);
  // optimizer.compute_gradients(closs)
  const { grads, layers } = yield* criticGradients(spec, state.params, fwd, lossParts);
  // [clip_by_norm(grad, 5) for grad]; optimizer.apply_gradients
  // (With a tap, each parameter's step θ_new − θ_old too: the watchdog's update-to-weight ratio.)
  const { clipped, globalNorm, upd, steps } = hasJsKernel(UPDATE_KERNEL)
    ? yield* fusedUpdate(config, state.params, grads, state, !!tap)
    : composedUpdate(config, ctx.optimizer, state.params, grads, state, !!tap);
  if (tap) tapStep(tap, ctx, { fwd, loss: lossParts, layers, clipped, globalNorm, upd, steps });
  return { params: upd.params, slots: upd.slots, loss: lossParts.loss, buffers: movingAverages(spec, fwd, buffers) };
}

/** The target (PPO's discounted_r, bootstrapped from the critic itself where the data says so) and the loss. */
function* criticLoss(config: Config, spec: CriticSpec, state: TrainState, inputs: StepInputs, v: tf.Tensor2D): Fused<LossParts> {
  let target = inputs.partial;
  let vNext: tf.Tensor2D | undefined;
  if (inputs.nextStates) {
    // The critic's own value of the state n steps on, as a constant (PPO computes it in a separate
    // sess.run). Rows that ended their episode bootstrap nothing: their next state is never used.
    vNext = yield* criticValueSteps(spec, state.target ?? state.params, inputs.nextStates, state.buffers ?? []);
    target = tf.where(
      tf.greater(inputs.discount, 0),
      tf.add(inputs.partial, tf.mul(inputs.discount, vNext)),
      inputs.partial,
    ) as tf.Tensor2D;
  }
  let normalizedTarget: tf.Tensor2D | undefined;
  const norm = config.data.returnNormalization;
  if (norm) {
    const { mean, variance } = tf.moments(target);
    normalizedTarget = tf.div(tf.sub(target, mean), tf.add(tf.sqrt(variance), norm.epsilon)) as tf.Tensor2D;
  }
  const t = normalizedTarget ?? target;
  const { error, loss, dv } =
    config.loss === 'huber'
      ? huberLoss(t, v, config.huberDelta)
      : config.loss === 'smooth_l1'
        ? smoothL1Loss(t, v, config.smoothL1Beta ?? 1)
        : hasJsKernel(MSE_KERNEL)
          ? yield* fusedMse(t, v)
          : mseLoss(t, v);
  const reg = config.regularization;
  if (!reg.addToLoss || (reg.l1 === 0 && reg.l2 === 0)) return { vNext, target, normalizedTarget, error, loss, dv };
  const r = regularization(state.params, reg.l1, reg.l2);
  return { vNext, target, normalizedTarget, error, penalty: r.penalty, loss: tf.add(loss, r.penalty), dv, regGrads: r.grads };
}

/** The MSE as one kernel call (train/loss-kernel.ts). */
function* fusedMse(t: tf.Tensor2D, v: tf.Tensor2D): Fused<{ error: tf.Tensor2D; loss: tf.Scalar; dv: tf.Tensor2D }> {
  const [error, loss, dv] = yield* callKernel(MSE_KERNEL, [t, v], {});
  return { error: error as tf.Tensor2D, loss: loss as tf.Scalar, dv: dv as tf.Tensor2D };
}

/** Back-propagation through the layers, last to first; returns every parameter's gradient and each layer's intermediates. */
function* criticGradients(
  spec: CriticSpec,
  params: tf.Tensor[],
  fwd: LayerForward[],
  lossParts: LossParts,
): Fused<{ grads: tf.Tensor[]; layers: LayerBackward[] }> {
  const grads: tf.Tensor[] = new Array(params.length);
  const layers: LayerBackward[] = new Array(spec.layers.length);
  // The gradient of each layer's output: the next layer's dX, plus those of the layers it is added to.
  const dOut: tf.Tensor2D[] = new Array(spec.layers.length);
  let fromNext = lossParts.dv;
  for (let i = spec.layers.length - 1; i >= 0; i--) {
    const l = spec.layers[i]!;
    dOut[i] = residualGradient(spec, i, fromNext, dOut);
    // Through dropout: the gradient of act is the output's, times the mask.
    const mask = fwd[i]!.mask;
    const b = yield* denseBackwardSteps(
      layerParams(l, params),
      fwd[i]!,
      l.activation,
      mask ? (tf.mul(dOut[i]!, mask) as tf.Tensor2D) : dOut[i]!,
      i > 0,
    );
    layers[i] = b;
    grads[l.vIndex] = b.dV;
    if (l.gIndex !== undefined) grads[l.gIndex] = b.dg!;
    grads[l.bIndex] = b.db;
    if (l.gammaIndex !== undefined) grads[l.gammaIndex] = b.dGamma!;
    if (l.betaIndex !== undefined) grads[l.betaIndex] = b.dBeta!;
    // Where the action joined (cat([h, action], 1)), the previous layer's gradient is dX's first columns.
    if (b.dX) fromNext = l.actionIn ? tf.slice(b.dX, [0, 0], [b.dX.shape[0], b.dX.shape[1] - spec.actionDim]) : b.dX;
  }
  const reg = lossParts.regGrads;
  return { grads: reg ? grads.map((g, i) => tf.add(g, reg[i]!)) : grads, layers };
}

/**
 * A layer's output gradient: what the next layer sends back, plus the output gradient of every
 * later layer that adds this one's output (a residual), in their order — the whole step's sum.
 */
function residualGradient(spec: CriticSpec, i: number, fromNext: tf.Tensor2D, dOut: readonly tf.Tensor2D[]): tf.Tensor2D {
  let d = fromNext;
  for (let k = i + 1; k < spec.layers.length; k++) if (spec.layers[k]!.residualFrom === i) d = tf.add(d, dOut[k]!) as tf.Tensor2D;
  return d;
}

/** Batch norm's moving averages: m ← μ·m + (1 − μ)·(this batch's statistic), μ the layer's momentum (0.99). */
function movingAverages(spec: CriticSpec, fwd: LayerForward[], buffers: tf.Tensor[]): tf.Tensor[] {
  const next = buffers.slice();
  spec.layers.forEach((l, i) => {
    const nf = fwd[i]!.normF;
    if (l.meanBuffer === undefined || !nf?.mean || !nf.variance || !buffers[l.meanBuffer]) return;
    const mu = normMomentum(l.config.normMomentum);
    next[l.meanBuffer] = tf.add(tf.mul(buffers[l.meanBuffer]!, mu), tf.mul(nf.mean, 1 - mu));
    next[l.varianceBuffer!] = tf.add(tf.mul(buffers[l.varianceBuffer!]!, mu), tf.mul(nf.variance, 1 - mu));
  });
  return next;
}

/** Clipping then the optimizer, composed from tfjs ops (any backend; the reference for the fused kernel). */
function composedUpdate(
  config: Config,
  optimizer: Optimizer,
  params: tf.Tensor[],
  grads: tf.Tensor[],
  state: TrainState,
  emitSteps = false,
): Update {
  const { clipped, globalNorm } = clipGradients(config.clip, grads);
  const upd = optimizer.apply(params, clipped, state.slots, state.iteration + 1);
  return { clipped, globalNorm, upd, ...(emitSteps ? { steps: upd.params.map((p, i) => tf.sub(p, params[i]!)) } : {}) };
}

/** The same, as one JS kernel over every parameter (wasm, cpu). */
function* fusedUpdate(config: Config, params: tf.Tensor[], grads: tf.Tensor[], state: TrainState, emitSteps = false): Fused<Update> {
  const n = params.length;
  const attrs = updateAttrs(config, n, state.slots.length, state.iteration + 1, emitSteps);
  const out = yield* callKernel(UPDATE_KERNEL, [...params, ...grads, ...state.slots.flat()], attrs);
  let o = 0;
  const clipped = config.clip.mode === 'none' ? grads : out.slice(0, (o = n));
  const globalNorm = config.clip.mode === 'global' ? (out[o++] as tf.Scalar) : undefined;
  const slots = state.slots.map((_, k) => out.slice(o + k * n, o + (k + 1) * n));
  const after = o + state.slots.length * n;
  return {
    clipped,
    globalNorm,
    upd: { params: out.slice(after, after + n), slots },
    ...(emitSteps ? { steps: out.slice(after + n) } : {}),
  };
}
