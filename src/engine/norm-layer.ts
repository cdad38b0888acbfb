import { tf } from '../util/tfjs.js';

/** tf.layers.batch_normalization's default ε (Keras: 1e-3). */
const BN_EPSILON = 1e-3;
/** A common layer-normalisation ε. */
const LN_EPSILON = 1e-5;
/** Moving-average momentum of batch statistics (TF's default 0.99). */
const BN_MOMENTUM = 0.99;

export type NormKind = 'batch' | 'layer';

/** A batch-norm layer's moving-average momentum: its own (`normMomentum`, from a saved model), else TF's 0.99. */
export function normMomentum(own?: number): number {
  return own ?? BN_MOMENTUM;
}

/** A layer's ε: its own (`normEpsilon`, from a saved model), else the kind's default. */
export function normEpsilon(kind: NormKind, own?: number): number {
  return own ?? (kind === 'batch' ? BN_EPSILON : LN_EPSILON);
}

export interface NormForward {
  xhat: tf.Tensor2D;
  /** 1/sqrt(var + ε): [U] for batch norm, [B, 1] for layer norm. */
  invStd: tf.Tensor;
  out: tf.Tensor2D;
  /** Batch statistics (batch norm in training), for the moving averages. */
  mean?: tf.Tensor1D;
  variance?: tf.Tensor1D;
}

/**
 * y = γ·(x − μ)/sqrt(σ² + ε) + β before the nonlinearity. Batch norm normalises each unit over the
 * batch (training) or with moving averages (`moving`, evaluation); layer norm each row over its
 * units.
 */
export function normForward(
  kind: NormKind,
  x: tf.Tensor2D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  moving?: { mean: tf.Tensor1D; variance: tf.Tensor1D },
  eps = normEpsilon(kind),
): NormForward {
  if (kind === 'batch' && moving) {
    const invStd = tf.rsqrt(tf.add(moving.variance, eps));
    const xhat = tf.mul(tf.sub(x, moving.mean), invStd) as tf.Tensor2D;
    return { xhat, invStd, out: tf.add(tf.mul(xhat, gamma), beta) as tf.Tensor2D };
  }
  const axis = kind === 'batch' ? 0 : 1;
  const { mean, variance } = tf.moments(x, axis, kind === 'layer');
  const invStd = tf.rsqrt(tf.add(variance, eps));
  const xhat = tf.mul(tf.sub(x, mean), invStd) as tf.Tensor2D;
  const out = tf.add(tf.mul(xhat, gamma), beta) as tf.Tensor2D;
  return kind === 'batch' ? { xhat, invStd, out, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D } : { xhat, invStd, out };
}

/**
 * Backward of `normForward` in training mode: dγ = Σ dy·x̂, dβ = Σ dy, and
 * dx = (invStd/N)·(N·dx̂ − Σ dx̂ − x̂·Σ(dx̂·x̂)) with dx̂ = dy·γ, the sums over the normalised axis.
 */
export function normBackward(
  kind: NormKind,
  f: NormForward,
  gamma: tf.Tensor1D,
  dy: tf.Tensor2D,
): { dx: tf.Tensor2D; dGamma: tf.Tensor1D; dBeta: tf.Tensor1D } {
  const dGamma = tf.sum(tf.mul(dy, f.xhat), 0) as tf.Tensor1D;
  const dBeta = tf.sum(dy, 0) as tf.Tensor1D;
  const dxhat = tf.mul(dy, gamma);
  const axis = kind === 'batch' ? 0 : 1;
  const keep = kind === 'layer';
  const n = dy.shape[axis]!;
  const s1 = tf.sum(dxhat, axis, keep);
  const s2 = tf.sum(tf.mul(dxhat, f.xhat), axis, keep);
  const dx = tf.mul(tf.div(f.invStd, n), tf.sub(tf.sub(tf.mul(dxhat, n), s1), tf.mul(f.xhat, s2))) as tf.Tensor2D;
  return { dx, dGamma, dBeta };
}
