import { tf } from '../util/tfjs.js';

/**
 * TF1's `tf.clip_by_norm(t, clipNorm)` op for op:
 * `l2sum = Σt²; l2norm = l2sum > 0 ? sqrt(l2sum) : l2sum; t·clip / max(l2norm, clip)`.
 * Its non-finite behaviour is TF's: a finite t whose Σt² overflows comes out as zeros
 * (t·5/Inf), and a t holding Inf comes out NaN (Inf·5/Inf).
 */
export function clipByNorm(t: tf.Tensor, clipNorm: number): tf.Tensor {
  const l2sum = tf.sum(tf.square(t));
  const pred = tf.greater(l2sum, 0);
  const l2sumSafe = tf.where(pred, l2sum, tf.onesLike(l2sum));
  const l2norm = tf.where(pred, tf.sqrt(l2sumSafe), l2sum);
  return tf.div(tf.mul(t, clipNorm), tf.maximum(l2norm, clipNorm));
}

/**
 * TF1's `tf.clip_by_global_norm(ts, clipNorm)`: the global norm is `sqrt(2·Σ L2Loss(t))` (TF's
 * `global_norm`), every tensor is scaled by `clip · min(1/‖all‖, 1/clip)`, and all of them are NaN
 * when the global norm is not finite (TF adds `norm − norm` on purpose). Returns the clipped
 * tensors and the global norm.
 */
export function clipByGlobalNorm(ts: readonly tf.Tensor[], clipNorm: number): { clipped: tf.Tensor[]; globalNorm: tf.Scalar } {
  const halfSquares = ts.map((t) => tf.sum(tf.mul(tf.square(t), 0.5)));
  const globalNorm = tf.sqrt(tf.mul(tf.sum(tf.stack(halfSquares)), 2)) as tf.Scalar;
  const scaleForFinite = tf.mul(clipNorm, tf.minimum(tf.div(1, globalNorm), tf.div(1, tf.scalar(clipNorm))));
  const scale = tf.add(scaleForFinite, tf.sub(globalNorm, globalNorm));
  return { clipped: ts.map((t) => tf.mul(t, scale)), globalNorm };
}

/** The config's clipping of a step's gradients (perTensor, global or none), and the global norm where it had one. */
export function clipGradients(
  clip: { mode: 'perTensor' | 'global' | 'none'; norm: number },
  grads: readonly tf.Tensor[],
): { clipped: tf.Tensor[]; globalNorm?: tf.Scalar } {
  if (clip.mode === 'perTensor') return { clipped: grads.map((g) => clipByNorm(g, clip.norm)) };
  if (clip.mode === 'global') return clipByGlobalNorm(grads, clip.norm);
  return { clipped: [...grads] };
}
