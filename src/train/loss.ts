import { tf } from '../util/tfjs.js';

/** The seed's critic loss and its gradient: `closs = mean((target − v)²)`, `dv = −2(target − v)/B`. */
export function mseLoss(target: tf.Tensor2D, v: tf.Tensor2D): { error: tf.Tensor2D; loss: tf.Scalar; dv: tf.Tensor2D } {
  const error = tf.sub(target, v) as tf.Tensor2D;
  const loss = tf.mean(tf.square(error)) as tf.Scalar;
  // TF: Mean's grad 1/B, Square's grad·2x, Sub's negation.
  const dv = tf.neg(tf.mul(tf.mul(error, 2), 1 / error.size)) as tf.Tensor2D;
  return { error, loss, dv };
}

/**
 * tf.contrib's l1/l2 regularizers summed over all trainable variables (apply_regularization):
 * `l1·Σ|w| + l2·Σw²/2`, and each variable's gradient `l1·sign(w) + l2·w`.
 */
export function regularization(params: readonly tf.Tensor[], l1: number, l2: number): { penalty: tf.Scalar; grads: tf.Tensor[] } {
  const terms: tf.Tensor[] = [];
  const grads = params.map((p) => {
    let g: tf.Tensor = tf.zerosLike(p);
    if (l1 > 0) {
      terms.push(tf.mul(tf.sum(tf.abs(p)), l1));
      g = tf.add(g, tf.mul(tf.sign(p), l1));
    }
    if (l2 > 0) {
      terms.push(tf.mul(tf.sum(tf.square(p)), l2 / 2));
      g = tf.add(g, tf.mul(p, l2));
    }
    return g;
  });
  return { penalty: (terms.length ? tf.addN(terms) : tf.scalar(0)) as tf.Scalar, grads };
}

/**
 * TF1's tf.losses.huber_loss (mean reduction): ½e² where |e| ≤ δ, δ(|e| − ½δ) beyond, with
 * gradient dv = −clip(e, −δ, δ)/B — bounded, unlike the MSE's.
 */
export function huberLoss(target: tf.Tensor2D, v: tf.Tensor2D, delta: number): { error: tf.Tensor2D; loss: tf.Scalar; dv: tf.Tensor2D } {
  const error = tf.sub(target, v) as tf.Tensor2D;
  const abs = tf.abs(error);
  const quadratic = tf.minimum(abs, delta);
  const linear = tf.sub(abs, quadratic);
  const loss = tf.mean(tf.add(tf.mul(tf.square(quadratic), 0.5), tf.mul(linear, delta))) as tf.Scalar;
  const dv = tf.neg(tf.div(tf.clipByValue(error, -delta, delta), error.size)) as tf.Tensor2D;
  return { error, loss, dv };
}

/**
 * torch's smooth_l1_loss (mean reduction) with `beta`, op by op as its CPU kernels: z = |v − t|,
 * ½·z·z/β where z < β, z − ½β beyond; the gradient (1/B)·x/β inside (x = v − t), ±1/B beyond.
 * It is the Huber loss with δ = β divided by β: the same shape, gradients bounded by 1/B.
 */
export function smoothL1Loss(target: tf.Tensor2D, v: tf.Tensor2D, beta: number): { error: tf.Tensor2D; loss: tf.Scalar; dv: tf.Tensor2D } {
  const error = tf.sub(target, v) as tf.Tensor2D;
  const x = tf.neg(error);
  const z = tf.abs(error);
  const inside = tf.div(tf.mul(tf.mul(z, 0.5), z), beta);
  const loss = tf.mean(tf.where(tf.less(z, beta), inside, tf.sub(z, 0.5 * beta))) as tf.Scalar;
  const norm = 1 / error.size;
  const dv = tf.where(
    tf.less(x, -beta),
    tf.fill(x.shape, -norm),
    tf.where(tf.greater(x, beta), tf.fill(x.shape, norm), tf.div(tf.mul(x, norm), beta)),
  ) as tf.Tensor2D;
  return { error, loss, dv };
}
