import { tf } from '../util/tfjs.js';
import type { ActivationNameT } from '../config/schema.js';

/** How a unit stops passing gradient: relu-like units die (input ≤ 0), saturating ones flatten. */
export type InactivityKind = 'dead' | 'saturated' | 'none';

/**
 * One nonlinearity: its forward op, its backward (dy · f'(x), from the pre-activation x and the
 * output y, whichever is cheaper — TF's own gradients do the same), and how its units go inactive.
 */
export interface Activation {
  name: ActivationNameT;
  /** leaky_relu's slope or elu's alpha, as used (defaults filled in). */
  alpha?: number;
  forward(x: tf.Tensor): tf.Tensor;
  backward(x: tf.Tensor, y: tf.Tensor, dy: tf.Tensor): tf.Tensor;
  inactivity: InactivityKind;
  /** For saturating units: |pre-activation| beyond which f' < 0.01. */
  saturationThreshold?: number;
}

/** SELU's constants, as tfjs (and TF) define them; the fused kernels use the same. */
export const SELU_ALPHA = 1.6732632423543772;
export const SELU_SCALE = 1.0507009873554805;
/** TF's tf.nn.leaky_relu default slope. */
const LEAKY_DEFAULT = 0.2;

/** Looks up an activation by name; `alpha` is leaky_relu's slope or elu's alpha. */
export function getActivation(name: ActivationNameT, alpha?: number): Activation {
  switch (name) {
    case 'linear':
      return { name, forward: (x) => x, backward: (_x, _y, dy) => dy, inactivity: 'none' };
    case 'relu':
      // TF's ReluGrad passes the gradient where the input is > 0 (0 at exactly 0).
      return { name, forward: (x) => tf.relu(x), backward: (x, _y, dy) => tf.mul(dy, tf.step(x)), inactivity: 'dead' };
    case 'leaky_relu': {
      const a = alpha ?? LEAKY_DEFAULT;
      return { name, alpha: a, forward: (x) => tf.leakyRelu(x, a), backward: (x, _y, dy) => tf.mul(dy, tf.step(x, a)), inactivity: 'dead' };
    }
    case 'elu': {
      const a = alpha ?? 1;
      if (a === 1) {
        // TF's EluGrad: dy where x > 0, dy·(y + 1) elsewhere.
        return {
          name,
          alpha: a,
          forward: (x) => tf.elu(x),
          backward: (x, y, dy) => tf.mul(dy, tf.where(tf.greater(x, 0), tf.onesLike(y), tf.add(y, 1))),
          inactivity: 'dead',
        };
      }
      return {
        name,
        alpha: a,
        forward: (x) => tf.where(tf.greater(x, 0), x, tf.mul(tf.sub(tf.exp(x), 1), a)),
        backward: (x, y, dy) => tf.mul(dy, tf.where(tf.greater(x, 0), tf.onesLike(y), tf.add(y, a))),
        inactivity: 'dead',
      };
    }
    case 'selu':
      return {
        name,
        forward: (x) => tf.selu(x),
        backward: (x, y, dy) => tf.mul(dy, tf.where(tf.greater(x, 0), tf.fill(y.shape, SELU_SCALE), tf.add(y, SELU_SCALE * SELU_ALPHA))),
        inactivity: 'dead',
      };
    case 'tanh':
      return {
        name,
        forward: (x) => tf.tanh(x),
        backward: (_x, y, dy) => tf.mul(dy, tf.sub(1, tf.square(y))),
        inactivity: 'saturated',
        saturationThreshold: 3.0,
      };
    case 'sigmoid':
      return {
        name,
        forward: (x) => tf.sigmoid(x),
        backward: (_x, y, dy) => tf.mul(dy, tf.mul(y, tf.sub(1, y))),
        inactivity: 'saturated',
        saturationThreshold: 4.6,
      };
    default:
      return smoothActivation(name);
  }
}

/** The smooth ones, composed from tfjs ops (the per-layer path; the whole step has no kernels for them). */
function smoothActivation(name: 'softplus' | 'swish' | 'gelu' | 'mish'): Activation {
  switch (name) {
    case 'softplus':
      return { name, forward: (x) => tf.softplus(x), backward: (x, _y, dy) => tf.mul(dy, tf.sigmoid(x)), inactivity: 'dead' };
    case 'swish':
      return {
        name,
        forward: (x) => tf.mul(x, tf.sigmoid(x)),
        backward: (x, _y, dy) => {
          const s = tf.sigmoid(x);
          return tf.mul(dy, tf.mul(s, tf.add(1, tf.mul(x, tf.sub(1, s)))));
        },
        inactivity: 'dead',
      };
    case 'gelu':
      // Exact (erf) GELU, TF's tf.nn.gelu default.
      return {
        name,
        forward: (x) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))),
        backward: (x, _y, dy) => {
          const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
          const pdf = tf.mul(tf.exp(tf.mul(tf.square(x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
          return tf.mul(dy, tf.add(cdf, tf.mul(x, pdf)));
        },
        inactivity: 'dead',
      };
    case 'mish':
      // x·tanh(softplus(x)) (torch.nn.Mish, Keras's mish); d/dx = t + x·(1 − t²)·sigmoid(x), t = tanh(softplus(x)).
      return {
        name,
        forward: (x) => tf.mul(x, tf.tanh(tf.softplus(x))),
        backward: (x, _y, dy) => {
          const t = tf.tanh(tf.softplus(x));
          return tf.mul(dy, tf.add(t, tf.mul(tf.mul(x, tf.sub(1, tf.square(t))), tf.sigmoid(x))));
        },
        inactivity: 'dead',
      };
  }
}
