import { z } from 'zod';

/**
 * The optimizers a config names: TF1's RMSProp, Adam and SGD (with the switches other frameworks'
 * versions differ by), and the PyTorch presets that stand for `torch.optim`'s, spelled with its
 * keywords. Part of the config schema (schema.ts), in a file of its own.
 */

/** A number in [0, 1] (a decay, a momentum, a β), with its default. */
const fraction = (d: number) => z.number().min(0).max(1).default(d);
/** What every optimizer starts with: its type and its learning rate (with the optimizer's own default). */
const optimizerBase = <T extends string>(type: T, lr: number) => ({ type: z.literal(type), lr: z.number().positive().default(lr) });

export const RmsProp = z.strictObject({
  ...optimizerBase('rmsprop', 1e-4),
  decay: fraction(0.99),
  momentum: fraction(0),
  epsilon: z.number().min(0).default(1e-6),
  /** TF1 starts the mean-square slot at 1.0; tfjs, Keras and PyTorch at 0. */
  rmsInit: z.number().min(0).default(1.0),
  /** TF1 and tfjs: lr·g/sqrt(ms + ε). PyTorch and Keras 2: lr·g/(sqrt(ms) + ε). */
  epsilonPlacement: z.enum(['inside', 'outside']).default('inside'),
  weightDecay: z.number().min(0).optional(),
});

export const Adam = z.strictObject({
  ...optimizerBase('adam', 1e-3),
  beta1: fraction(0.9),
  beta2: fraction(0.999),
  epsilon: z.number().min(0).default(1e-8),
  /**
   * PyTorch's Adam adds ε to the bias-corrected √v̂ (`m̂/(√v/√(1−β2ᵗ) + ε)`); TF1 and Keras add it to
   * √v (ε̂). True gives PyTorch's: the same update as TF1's with ε·√(1−β2ᵗ) at step t.
   */
  biasCorrectedEpsilon: z.boolean().optional(),
  /**
   * L2 weight decay as PyTorch's optimizers apply it: `g + λ·θ` after clipping, before the
   * moments; with `decoupledWeightDecay` (AdamW) `θ·(1 − lr·λ)` before the update instead.
   */
  weightDecay: z.number().min(0).optional(),
  decoupledWeightDecay: z.boolean().optional(),
});

export const Sgd = z.strictObject({
  ...optimizerBase('sgd', 1e-2),
  momentum: fraction(0),
  weightDecay: z.number().min(0).optional(),
});

type AdamOut = z.output<typeof Adam>;
const betas = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).default([0.9, 0.999]);
/** torch.optim's own argument names and defaults (1.13), so a preset reads as the Python call it stands for. */
const torchAdamArgs = (type: 'torch-adam' | 'torch-adamw', weightDecay: number) =>
  z.strictObject({
    type: z.literal(type),
    lr: z.number().positive().default(1e-3),
    betas,
    eps: z.number().min(0).default(1e-8),
    weight_decay: z.number().min(0).default(weightDecay),
  });
const adamFrom = (o: { lr: number; betas: [number, number]; eps: number; weight_decay: number }, decoupled: boolean): AdamOut => ({
  type: 'adam',
  lr: o.lr,
  beta1: o.betas[0],
  beta2: o.betas[1],
  epsilon: o.eps,
  biasCorrectedEpsilon: true,
  ...(o.weight_decay ? { weightDecay: o.weight_decay, ...(decoupled ? { decoupledWeightDecay: true } : {}) } : {}),
});

/**
 * Presets that stand for `torch.optim.<X>(params, …)` with the same keywords: each becomes the
 * update rules' own settings (the resolved config shows them), so a preset is a spelling, not a
 * second implementation. torch-adam: ε on the bias-corrected √v̂, weight decay coupled (added to
 * the gradient); torch-adamw: decoupled (θ·(1 − lr·λ) first), λ 0.01 by default; torch-rmsprop:
 * square average from 0, ε outside the sqrt, `alpha` the decay; torch-sgd: lr required, as torch's.
 * Refused by omission (strict keys): amsgrad, maximize, foreach, capturable, RMSprop's centered,
 * SGD's dampening and nesterov.
 */
export const TorchAdam = torchAdamArgs('torch-adam', 0).transform((o): AdamOut => adamFrom(o, false));
export const TorchAdamW = torchAdamArgs('torch-adamw', 1e-2).transform((o): AdamOut => adamFrom(o, true));
export const TorchRmsProp = z
  .strictObject({
    type: z.literal('torch-rmsprop'),
    lr: z.number().positive().default(1e-2),
    alpha: fraction(0.99),
    eps: z.number().min(0).default(1e-8),
    weight_decay: z.number().min(0).default(0),
    momentum: fraction(0),
  })
  .transform((o): z.output<typeof RmsProp> => ({
    type: 'rmsprop',
    lr: o.lr,
    decay: o.alpha,
    momentum: o.momentum,
    epsilon: o.eps,
    rmsInit: 0,
    epsilonPlacement: 'outside',
    ...(o.weight_decay ? { weightDecay: o.weight_decay } : {}),
  }));
export const TorchSgd = z
  .strictObject({
    type: z.literal('torch-sgd'),
    lr: z.number().positive(),
    momentum: fraction(0),
    weight_decay: z.number().min(0).default(0),
  })
  .transform((o): z.output<typeof Sgd> => ({
    type: 'sgd',
    lr: o.lr,
    momentum: o.momentum,
    ...(o.weight_decay ? { weightDecay: o.weight_decay } : {}),
  }));

export const OPTIMIZER_PRESETS = ['torch-adam', 'torch-adamw', 'torch-rmsprop', 'torch-sgd'] as const;

export const Optimizer = z.discriminatedUnion('type', [RmsProp, Adam, Sgd, TorchAdam, TorchAdamW, TorchRmsProp, TorchSgd]);
