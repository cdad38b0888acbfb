import { tf } from '../util/tfjs.js';
import type { CriticSpec, LayerSpec } from '../model/critic.js';
import { denseForwardSteps, layerOutput, type LayerForward, type LayerParams, type NormMode } from './dense-wn.js';
import { runFused, type Fused } from './fused-call.js';
import { dropoutMask } from './dropout-mask.js';

/** The tensors of one layer, picked from the flat list. */
export function layerParams(l: LayerSpec, params: readonly tf.Tensor[]): LayerParams {
  return {
    V: params[l.vIndex] as tf.Tensor2D,
    g: l.gIndex !== undefined ? (params[l.gIndex] as tf.Tensor1D) : undefined,
    b: params[l.bIndex] as tf.Tensor1D,
    gamma: l.gammaIndex !== undefined ? (params[l.gammaIndex] as tf.Tensor1D) : undefined,
    beta: l.betaIndex !== undefined ? (params[l.betaIndex] as tf.Tensor1D) : undefined,
  };
}

/** A layer's normalisation mode: training (batch statistics) or evaluation (the moving averages). */
function normMode(l: LayerSpec, buffers: readonly tf.Tensor[] | undefined, evaluate: boolean): NormMode | undefined {
  if (l.norm === 'none') return undefined;
  const eps = l.config.normEpsilon;
  if (l.norm === 'layer' || !evaluate || !buffers || l.meanBuffer === undefined) return { kind: l.norm, eps };
  const moving = { mean: buffers[l.meanBuffer] as tf.Tensor1D, variance: buffers[l.varianceBuffer!] as tf.Tensor1D };
  return { kind: 'batch', moving, eps };
}

/** Forward through every layer, keeping each layer's intermediates. */
export function criticForward(
  spec: CriticSpec,
  params: readonly tf.Tensor[],
  x: tf.Tensor2D,
  buffers?: readonly tf.Tensor[],
  evaluate = false,
): LayerForward[] {
  return runFused(criticForwardSteps(spec, params, x, buffers, evaluate));
}

/** `criticForward` as a fused computation (engine/fused-call.ts). */
export function* criticForwardSteps(
  spec: CriticSpec,
  params: readonly tf.Tensor[],
  x: tf.Tensor2D,
  buffers?: readonly tf.Tensor[],
  evaluate = false,
  step?: { seed: number; iteration: number },
): Fused<LayerForward[]> {
  const out: LayerForward[] = [];
  let h = x;
  for (const [i, l] of spec.layers.entries()) {
    const first = i === 0 || spec.layers[i - 1]!.head !== l.head;
    const input = layerInput(spec, l, x, first ? x : h, first);
    const f = yield* denseForwardSteps(layerParams(l, params), input, l.activation, normMode(l, buffers, evaluate));
    // Dropout in training only: the step's mask (engine/dropout-mask.ts), the next layer takes act × mask.
    const rate = l.config.dropout;
    if (rate && step && !evaluate) {
      const [B, U] = f.act.shape;
      f.mask = tf.tensor2d(dropoutMask(step.seed, step.iteration, l.index, B * U, rate), [B, U]);
      f.dropped = tf.mul(f.act, f.mask) as tf.Tensor2D;
    }
    // A residual connection: this layer's output + the earlier layer's (the whole step adds them in this order).
    if (l.residualFrom !== undefined) f.sum = tf.add(f.dropped ?? f.act, layerOutput(out[l.residualFrom]!)) as tf.Tensor2D;
    out.push(f);
    h = layerOutput(f);
  }
  return out;
}

/**
 * A layer's input from the input rows `x` ([state, action] for a Q(s, a) critic) and `h`, the
 * previous layer's output: the whole row where the first layer takes the action, the state's
 * columns where a later one does, cat([h, action], 1) at that later layer, else `h`.
 */
export function layerInput(spec: CriticSpec, l: LayerSpec, x: tf.Tensor2D, h: tf.Tensor2D, first: boolean): tf.Tensor2D {
  const A = spec.actionDim;
  if (A === 0 || (first && l.actionIn)) return h;
  const [B, W] = x.shape;
  if (first) return tf.slice(x, [0, 0], [B, W - A]);
  return l.actionIn ? tf.concat([h, tf.slice(x, [0, W - A], [B, A])], 1) : h;
}

/** v(s) alone, for bootstrapped targets (no gradient flows through the target). */
export function* criticValueSteps(
  spec: CriticSpec,
  params: readonly tf.Tensor[],
  x: tf.Tensor2D,
  buffers?: readonly tf.Tensor[],
): Fused<tf.Tensor2D> {
  const f = yield* criticForwardSteps(spec, params, x, buffers, true);
  return f[f.length - 1]!.act;
}
