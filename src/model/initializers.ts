import { tf } from '../util/tfjs.js';
import type { InitConfig } from '../config/schema.js';
import { torchLinearDraws, torchOrthogonal, type TorchGenerator } from './torch-init.js';

export interface VarianceScalingArgs {
  scale: number;
  mode: 'fan_in' | 'fan_out' | 'fan_avg';
  distribution: 'truncated_normal' | 'untruncated_normal' | 'uniform';
}

/**
 * The named initializers as TF1 defines them:
 * - xavier / glorot_uniform: tf.contrib.layers.xavier_initializer() (uniform, fan_avg, scale 1);
 * - glorot_normal: fan_avg, scale 1, truncated normal;
 * - he: variance scaling 2.0, fan_in, truncated normal (He et al. 2015);
 * - lecun: variance scaling 1.0, fan_in, truncated normal — which is also what TF1's
 *   `tf.variance_scaling_initializer()` gives with its defaults (so it is *not* He).
 */
export function resolveInit(init: InitConfig): VarianceScalingArgs | 'zeros' | TorchInit {
  if (typeof init === 'object') return 'orthogonal' in init ? { torch: 'orthogonal', gain: init.orthogonal.gain } : init.variance_scaling;
  switch (init) {
    case 'torch_linear':
      return { torch: 'linear' };
    case 'cleanrl':
      return { torch: 'orthogonal', gain: Math.SQRT2 };
    case 'xavier':
    case 'glorot_uniform':
      return { scale: 1, mode: 'fan_avg', distribution: 'uniform' };
    case 'glorot_normal':
      return { scale: 1, mode: 'fan_avg', distribution: 'truncated_normal' };
    case 'he':
      return { scale: 2, mode: 'fan_in', distribution: 'truncated_normal' };
    case 'lecun':
      return { scale: 1, mode: 'fan_in', distribution: 'truncated_normal' };
    case 'zeros':
      return 'zeros';
  }
}

/** PyTorch's initialisation (torch-init.ts): nn.Linear's own, or orthogonal after it. */
export type TorchInit = { torch: 'linear' } | { torch: 'orthogonal'; gain: number };

/** stddev of a normal truncated at ±2σ, as a fraction of σ (scipy.stats.truncnorm.std(-2, 2)); TF1 corrects by it. */
const TRUNCATED_STD = 0.87962566103423978;

/**
 * A [fanIn, fanOut] weight matrix drawn as TF1's VarianceScaling draws it, from tfjs's seeded
 * generators (computed in JS, so identical on every backend for a given seed).
 */
export function initWeights(init: InitConfig, fanIn: number, fanOut: number, seed: number): tf.Tensor2D {
  const r = resolveInit(init);
  if (r === 'zeros') return tf.zeros([fanIn, fanOut]);
  if ('torch' in r) throw new Error('internal: a torch init draws from the critic-wide generator (torchInitWeights), not a per-layer seed');
  const n = Math.max(1, r.mode === 'fan_in' ? fanIn : r.mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2);
  const variance = r.scale / n;
  switch (r.distribution) {
    case 'uniform': {
      const limit = Math.sqrt(3 * variance);
      return tf.randomUniform([fanIn, fanOut], -limit, limit, 'float32', seed);
    }
    case 'truncated_normal':
      return tf.truncatedNormal([fanIn, fanOut], 0, Math.sqrt(variance) / TRUNCATED_STD, 'float32', seed);
    case 'untruncated_normal':
      return tf.randomNormal([fanIn, fanOut], 0, Math.sqrt(variance), 'float32', seed);
  }
}

/** A per-variable seed from the run seed, so each layer's weights are independent but reproducible. */
export function variableSeed(runSeed: number, layerIndex: number): number {
  return ((Math.imul(runSeed + 1, 0x9e3779b1) ^ Math.imul(layerIndex + 1, 0x85ebca77)) >>> 0) % 2_147_483_647;
}

/**
 * The kernel [fanIn, fanOut] (torch's [out, in] weight transposed) and, for `torch_linear`, the
 * bias a torch init draws from `gen` — which every torch layer of a critic shares, in order.
 */
export function torchInitWeights(
  init: TorchInit,
  gen: TorchGenerator,
  fanIn: number,
  fanOut: number,
): { kernel: tf.Tensor2D; bias?: tf.Tensor1D } {
  const own = torchLinearDraws(gen, fanIn, fanOut);
  const w = init.torch === 'linear' ? own.weight : torchOrthogonal(gen, fanOut, fanIn, init.gain);
  const kernel = new Float32Array(fanIn * fanOut);
  for (let o = 0; o < fanOut; o++) for (let i = 0; i < fanIn; i++) kernel[i * fanOut + o] = w[o * fanIn + i]!;
  return {
    kernel: tf.tensor2d(kernel, [fanIn, fanOut]),
    ...(init.torch === 'linear' ? { bias: tf.tensor1d(own.bias) } : {}),
  };
}
