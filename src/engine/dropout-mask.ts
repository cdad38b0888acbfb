import { Rng } from '../data/rng.js';

/**
 * A dropout layer's mask for one training step: each entry 0 (dropped, with probability `rate`)
 * or float32(1 / (1 − rate)), so the layer's output is activation × mask — inverted dropout, as
 * Keras and torch scale it. Drawn from critic-doctor's own generator, seeded by the run's seed,
 * the step (the optimizer's iteration) and the layer: the same on both paths and every backend,
 * and again when a step is replayed. Not the framework's random stream: a file's Dropout keeps its
 * rate, not its draws.
 */
export function dropoutMask(seed: number, iteration: number, layer: number, size: number, rate: number): Float32Array {
  const rng = new Rng((Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(iteration + 1, 0x85ebca6b) ^ Math.imul(layer + 1, 0xc2b2ae35)) >>> 0);
  const keep = Math.fround(1 / (1 - rate));
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.next() < rate ? 0 : keep;
  return out;
}
