import { tf } from '../util/tfjs.js';
import type { OptimizerConfig } from '../config/schema.js';
import { adamEpsilon, adamStepSize, decayFactor, oneMinus } from './tf1-arith.js';

/**
 * An optimizer as pure functions over explicit slots, so the trainer owns every tensor (for tidy
 * discipline, dumps and replays) and the watchdog can look at each slot.
 */
export interface Optimizer {
  /** Names of the per-parameter slots, e.g. ['ms'] for RMSProp without momentum. */
  slotNames: string[];
  initSlots(params: readonly tf.Tensor[]): tf.Tensor[][];
  /**
   * One update; `iteration` is 1-based (Adam's bias correction). Returns the new parameters and
   * slots (`slots[k][i]` is slot k of parameter i); the inputs are left for the caller to dispose.
   */
  apply(
    params: readonly tf.Tensor[],
    grads: readonly tf.Tensor[],
    slots: readonly tf.Tensor[][],
    iteration: number,
  ): {
    params: tf.Tensor[];
    slots: tf.Tensor[][];
  };
}

/** Builds the optimizer a config names. */
export function createOptimizer(cfg: OptimizerConfig): Optimizer {
  const rule = cfg.type === 'rmsprop' ? rmsprop(cfg) : cfg.type === 'adam' ? adam(cfg) : sgd(cfg);
  return cfg.weightDecay ? withWeightDecay(rule, cfg) : rule;
}

/**
 * PyTorch's weight decay around an update rule: coupled (Adam, RMSprop, SGD) adds λ·θ to the
 * (clipped) gradient before the moments, `grad.add(param, alpha=λ)`; decoupled (AdamW) scales θ
 * by (1 − lr·λ) first, `param.mul_(1 - lr * λ)`, then updates the scaled θ with the raw gradient.
 * Rounded op by op here (torch's CPU add may fuse λ·θ + g: ≤ 1 ulp of the sum apart).
 */
function withWeightDecay(rule: Optimizer, cfg: OptimizerConfig): Optimizer {
  const wd = cfg.weightDecay!;
  const decoupled = cfg.type === 'adam' && cfg.decoupledWeightDecay === true;
  return {
    ...rule,
    apply: (params, grads, slots, iteration) =>
      decoupled
        ? rule.apply(
            params.map((p) => tf.mul(p, decayFactor(cfg.lr, wd))),
            grads,
            slots,
            iteration,
          )
        : rule.apply(
            params,
            grads.map((g, i) => tf.add(g, tf.mul(params[i]!, wd))),
            slots,
            iteration,
          ),
  };
}

type RmsPropArgs = Extract<OptimizerConfig, { type: 'rmsprop' }>;

/**
 * TF1's ApplyRMSProp kernel: `ms += (g² − ms)(1 − ρ); mom = μ·mom + lr·g/sqrt(ms + ε); v −= mom`,
 * with `ms` starting at `rmsInit` (1.0 in TF1, 0 elsewhere). With ε inside the sqrt (TF1, tfjs)
 * the momentum slot is always there, as in TF1's RMSPropOptimizer: at μ = 0, `mom·0` is 0 while
 * the previous step was finite, and NaN once it was ±Inf. With ε outside (PyTorch, Keras 2) it
 * exists only for μ > 0, as there.
 */
function rmsprop(cfg: RmsPropArgs): Optimizer {
  const useMomentum = cfg.momentum > 0 || cfg.epsilonPlacement === 'inside';
  const k = oneMinus(cfg.decay);
  return {
    slotNames: useMomentum ? ['ms', 'mom'] : ['ms'],
    initSlots: (params) => {
      const ms = params.map((p) => tf.fill(p.shape, cfg.rmsInit));
      return useMomentum ? [ms, params.map((p) => tf.zerosLike(p))] : [ms];
    },
    apply: (params, grads, slots) => {
      const newMs: tf.Tensor[] = [];
      const newMom: tf.Tensor[] = [];
      const newParams = params.map((p, i) => {
        const g = grads[i]!;
        const ms = tf.add(slots[0]![i]!, tf.mul(tf.sub(tf.square(g), slots[0]![i]!), k));
        newMs.push(ms);
        const denom = cfg.epsilonPlacement === 'inside' ? tf.sqrt(tf.add(ms, cfg.epsilon)) : tf.add(tf.sqrt(ms), cfg.epsilon);
        let step = tf.div(tf.mul(g, cfg.lr), denom);
        if (useMomentum) {
          step = tf.add(tf.mul(slots[1]![i]!, cfg.momentum), step);
          newMom.push(step);
        }
        return tf.sub(p, step);
      });
      return { params: newParams, slots: useMomentum ? [newMs, newMom] : [newMs] };
    },
  };
}

type AdamArgs = Extract<OptimizerConfig, { type: 'adam' }>;

/** TF1's ApplyAdam: `m += (g − m)(1 − β1); v += (g² − v)(1 − β2); θ −= lr_t·m/(sqrt(v) + ε)`, lr_t as `adamStepSize`. */
function adam(cfg: AdamArgs): Optimizer {
  return {
    slotNames: ['m', 'v'],
    initSlots: (params) => [params.map((p) => tf.zerosLike(p)), params.map((p) => tf.zerosLike(p))],
    apply: (params, grads, slots, iteration) => {
      const lrT = adamStepSize(cfg.lr, cfg.beta1, cfg.beta2, iteration);
      const eps = adamEpsilon(cfg.epsilon, cfg.beta2, iteration, cfg.biasCorrectedEpsilon);
      const k1 = oneMinus(cfg.beta1);
      const k2 = oneMinus(cfg.beta2);
      const ms: tf.Tensor[] = [];
      const vs: tf.Tensor[] = [];
      const newParams = params.map((p, i) => {
        const g = grads[i]!;
        const m = tf.add(slots[0]![i]!, tf.mul(tf.sub(g, slots[0]![i]!), k1));
        const v = tf.add(slots[1]![i]!, tf.mul(tf.sub(tf.square(g), slots[1]![i]!), k2));
        ms.push(m);
        vs.push(v);
        return tf.sub(p, tf.div(tf.mul(m, lrT), tf.add(tf.sqrt(v), eps)));
      });
      return { params: newParams, slots: [ms, vs] };
    },
  };
}

type SgdArgs = Extract<OptimizerConfig, { type: 'sgd' }>;

/** Plain gradient descent `θ −= lr·g`, or TF1's MomentumOptimizer `a = μ·a + g; θ −= lr·a`. */
function sgd(cfg: SgdArgs): Optimizer {
  const useMomentum = cfg.momentum > 0;
  return {
    slotNames: useMomentum ? ['accum'] : [],
    initSlots: (params) => (useMomentum ? [params.map((p) => tf.zerosLike(p))] : []),
    apply: (params, grads, slots) => {
      if (!useMomentum) return { params: params.map((p, i) => tf.sub(p, tf.mul(grads[i]!, cfg.lr))), slots: [] };
      const acc = params.map((_, i) => tf.add(tf.mul(slots[0]![i]!, cfg.momentum), grads[i]!));
      return { params: params.map((p, i) => tf.sub(p, tf.mul(acc[i]!, cfg.lr))), slots: [acc] };
    },
  };
}
