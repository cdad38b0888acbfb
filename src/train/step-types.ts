import type { tf } from '../util/tfjs.js';
import type { Config } from '../config/schema.js';
import type { CriticSpec } from '../model/critic.js';
import type { Optimizer } from './optimizers.js';

/** Everything that changes from step to step and must be saved to resume or replay a run. */
export interface TrainState {
  params: tf.Tensor[];
  /** slots[k][i]: optimizer slot k of parameter i. */
  slots: tf.Tensor[][];
  /** Updates applied so far (Adam's t is iteration + 1 during the next step). */
  iteration: number;
  /** Batch norm's moving averages (absent or empty without batch norm). */
  buffers?: tf.Tensor[];
  /** A frozen copy of the parameters for bootstrapped targets (data.targetNetwork). */
  target?: tf.Tensor[];
}

/** One minibatch as tensors: `target = partial + discount · v(nextStates)` where discount > 0. */
export interface StepInputs {
  states: tf.Tensor2D;
  partial: tf.Tensor2D;
  discount: tf.Tensor2D;
  nextStates?: tf.Tensor2D;
}

export interface StepContext {
  spec: CriticSpec;
  config: Config;
  optimizer: Optimizer;
}

/** The loss side of a step: its target (bootstrapped, maybe normalised), error, loss and dloss/dv. */
export interface LossParts {
  vNext?: tf.Tensor2D;
  target: tf.Tensor2D;
  normalizedTarget?: tf.Tensor2D;
  error: tf.Tensor2D;
  penalty?: tf.Scalar;
  loss: tf.Scalar;
  dv: tf.Tensor2D;
  regGrads?: tf.Tensor[];
}

/** What a step returns: the new parameters, slots and buffers, and its loss. */
export type StepOutput = {
  params: tf.Tensor[];
  slots: tf.Tensor[][];
  loss: tf.Scalar;
  buffers: tf.Tensor[];
};

export type Update = {
  /** θ_new − θ_old of each parameter, when asked for. */
  steps?: tf.Tensor[];
  clipped: tf.Tensor[];
  globalNorm?: tf.Scalar;
  upd: { params: tf.Tensor[]; slots: tf.Tensor[][] };
};
