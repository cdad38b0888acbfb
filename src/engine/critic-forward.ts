import type { tf } from '../util/tfjs.js';
import type { CriticSpec, LayerSpec } from '../model/critic.js';
import { denseForwardSteps, type LayerForward, type LayerParams, type NormMode } from './dense-wn.js';
import { runFused, type Fused } from './fused-call.js';

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
  if (l.norm === 'layer' || !evaluate || !buffers || l.meanBuffer === undefined) return { kind: l.norm };
  return { kind: 'batch', moving: { mean: buffers[l.meanBuffer] as tf.Tensor1D, variance: buffers[l.varianceBuffer!] as tf.Tensor1D } };
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
): Fused<LayerForward[]> {
  const out: LayerForward[] = [];
  let h = x;
  for (const l of spec.layers) {
    const f = yield* denseForwardSteps(layerParams(l, params), h, l.activation, normMode(l, buffers, evaluate));
    out.push(f);
    h = f.act;
  }
  return out;
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
