import { ACTIVATIONS, type ActivationNameT } from '../config/schema.js';

/**
 * A tfjs activation name (a Dense layer's `activation`) as critic-doctor's, or null where we have
 * none of that name; no activation (null) is linear. Apart from activations.ts, which loads tfjs:
 * reading a model file's layer names needs no tfjs.
 */
export function fromTfjsActivation(name: string | null): ActivationNameT | null {
  if (name === null) return 'linear';
  const aliases: Record<string, ActivationNameT> = { leakyReLU: 'leaky_relu' };
  if (aliases[name]) return aliases[name]!;
  return (ACTIVATIONS as readonly string[]).includes(name) ? (name as ActivationNameT) : null;
}

/**
 * How each activation's units go inactive (activations.ts's `inactivity`, which a test holds this
 * table to): die where the input is ≤ 0, saturate at both ends, or never.
 */
export const INACTIVITY: Record<ActivationNameT, 'dead' | 'saturated' | 'none'> = {
  relu: 'dead',
  elu: 'dead',
  tanh: 'saturated',
  linear: 'none',
  leaky_relu: 'dead',
  selu: 'dead',
  softplus: 'dead',
  sigmoid: 'saturated',
  gelu: 'dead',
  swish: 'dead',
  mish: 'dead',
};

/** Relu-like: units that die (input ≤ 0) rather than saturate — what He init and the dead-unit checks are for. */
export function isReluLike(name: ActivationNameT): boolean {
  return INACTIVITY[name] === 'dead';
}
