import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { runJsKernel } from '../../src/engine/js-kernel.js';
import type { OptimizerConfig } from '../../src/config/schema.js';
import { setSimdUpdate, UPDATE_KERNEL, type UpdateAttrs } from '../../src/train/update-kernel.js';
import { describeEachBackend } from '../helpers/backends.js';

const optimizers: OptimizerConfig[] = [
  { type: 'rmsprop', lr: 1e-4, decay: 0.99, momentum: 0, epsilon: 1e-6, rmsInit: 1, epsilonPlacement: 'inside' },
  { type: 'rmsprop', lr: 1e-3, decay: 0.9, momentum: 0.5, epsilon: 1e-7, rmsInit: 0, epsilonPlacement: 'outside' },
  { type: 'adam', lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
  { type: 'sgd', lr: 1e-2, momentum: 0.9 },
  { type: 'sgd', lr: 1e-2, momentum: 0 },
] as OptimizerConfig[];
const slotsOf = (o: OptimizerConfig) =>
  o.type === 'adam' ? 2 : o.type === 'rmsprop' ? (o.momentum > 0 || o.epsilonPlacement === 'inside' ? 2 : 1) : o.momentum > 0 ? 1 : 0;

// Sizes: 1, odd, a multiple of 8, and one above Eigen's 8·1024 split.
const shapes = [[1], [7], [48, 64], [3, 11], [9001]];
let seed = 1;
const rand = (n: number, scale: number) =>
  Float32Array.from({ length: n }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * scale);

describeEachBackend('the update kernel', () => {
  for (const opt of optimizers) {
    for (const clipMode of ['perTensor', 'global', 'none'] as const) {
      const name = `${opt.type}${'momentum' in opt ? ` μ=${opt.momentum}` : ''}, clip ${clipMode}`;
      it(`${name}: SIMD loops = JS loops, bit for bit (NaN/Inf included)`, () => {
        const n = shapes.length;
        const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
        const params = shapes.map((s) => rand(size(s), 2));
        const grads = shapes.map((s, i) => rand(size(s), i === 2 ? 40 : 2));
        grads[3]![4] = NaN;
        grads[1]![2] = Infinity;
        const k = slotsOf(opt);
        const slots = Array.from({ length: k }, () => shapes.map((s) => rand(size(s), 1).map(Math.abs)));
        const attrs: UpdateAttrs = { n, slots: k, clipMode, clipNorm: 5, opt, lrT: 1e-3, emitSteps: true };
        const run = (simd: boolean) => {
          setSimdUpdate(simd);
          try {
            return tf.tidy(() => {
              const ts = [...params, ...grads, ...slots.flat()].map((v, i) => tf.tensor(v, shapes[i % n]));
              return runJsKernel(UPDATE_KERNEL, ts, attrs).map((t) => t.dataSync() as Float32Array);
            });
          } finally {
            setSimdUpdate(true);
          }
        };
        const simd = run(true);
        const js = run(false);
        expect(simd.length).toBe(js.length);
        simd.forEach((o, i) =>
          expect(
            o.every((x, j) => Object.is(x, js[i]![j])),
            `output ${i}`,
          ).toBe(true),
        );
      });
    }
  }
});
