import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { ACTIVATIONS } from '../../src/config/schema.js';
import { buildCriticSpec, initParams } from '../../src/model/critic.js';
import { criticForward } from '../../src/engine/critic-forward.js';
import { createOptimizer } from '../../src/train/optimizers.js';
import { trainStep } from '../../src/train/step.js';
import { Tap } from '../../src/watch/tap.js';
import { setFusedKernels } from '../../src/engine/js-kernel.js';
import { describeEachBackend } from '../helpers/backends.js';
import { tinyConfig } from '../helpers/configs.js';

/** Loss of the critic as plain autodiff-able tfjs ops (the reference the hand-written backward must match). */
function lossFn(spec: ReturnType<typeof buildCriticSpec>, x: tf.Tensor2D, target: tf.Tensor2D) {
  return (...params: tf.Tensor[]) => {
    const f = criticForward(spec, params, x);
    return tf.mean(tf.square(tf.sub(target, f[f.length - 1]!.act))) as tf.Scalar;
  };
}

/** Raw (unclipped) gradients from the training step's own backward pass, read from its taps. */
function handGradients(config: ReturnType<typeof tinyConfig>['config'], params: tf.Tensor[], x: tf.Tensor2D, target: tf.Tensor2D) {
  const spec = buildCriticSpec(config);
  const tap = new Tap();
  const sgd = { type: 'sgd' as const, lr: 1e-3, momentum: 0 };
  const ctx = { spec, config: { ...config, optimizer: sgd, clip: { mode: 'none' as const, norm: 5 } }, optimizer: createOptimizer(sgd) };
  trainStep(ctx, { params, slots: [], iteration: 0 }, { states: x, partial: target, discount: tf.zerosLike(target) }, tap);
  return spec.paramNames.map((name) => {
    const i = tap.points.findIndex((p) => p.phase === 'backward' && p.param === name);
    return tap.tensors[i]!;
  });
}

function setup(activation: string, weightNorm = true, norm: 'none' | 'batch' | 'layer' = 'none') {
  const loaded = tinyConfig({
    network: {
      inputDim: 6,
      layers: [
        { name: 'l1', units: 5, activation, weightNorm, norm },
        { name: 'l2', units: 4, activation, weightNorm, norm },
        { name: 'out', units: 1, activation: 'linear', weightNorm },
      ],
    },
  });
  const spec = buildCriticSpec(loaded.config);
  const params = initParams(spec, 11);
  const x = tf.randomNormal([7, 6], 0, 1.5, 'float32', 5) as tf.Tensor2D;
  const target = tf.randomNormal([7, 1], 0, 2, 'float32', 6) as tf.Tensor2D;
  return { config: loaded.config, spec, params, x, target };
}

function maxRelDiff(a: Float32Array | number[], b: Float32Array | number[], floor = 1e-6): number {
  let m = 0;
  let scale = floor;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / scale);
  return m;
}

const KINKED = new Set(['relu', 'leaky_relu', 'selu']);

/** Whether some hidden unit's pre-activation has opposite signs under the two parameter sets. */
function crossesKink(spec: ReturnType<typeof buildCriticSpec>, a: tf.Tensor[], b: tf.Tensor[], x: tf.Tensor2D): boolean {
  const fa = criticForward(spec, a, x);
  const fb = criticForward(spec, b, x);
  return spec.layers.some((l, i) => {
    if (!KINKED.has(l.activation.name)) return false;
    const pa = fa[i]!.pre.dataSync();
    const pb = fb[i]!.pre.dataSync();
    return pa.some((v, j) => v > 0 !== pb[j]! > 0);
  });
}

describeEachBackend('denseWN backward', () => {
  for (const activation of ACTIVATIONS) {
    for (const weightNorm of [true, false]) {
      for (const fusedKernels of [true, false]) {
        const what = `${activation}${weightNorm ? '' : ' (plain dense)'} (${fusedKernels ? 'fused kernels' : 'composed ops'})`;
        it(`matches tfjs autodiff for ${what}`, () => {
          tf.tidy(() => {
            const { config, spec, params, x, target } = setup(activation, weightNorm);
            // Autodiff needs the composed ops (the fused kernels have no registered gradient).
            setFusedKernels(false);
            const auto = tf.grads(lossFn(spec, x, target))(params);
            setFusedKernels(fusedKernels);
            const hand = handGradients(config, params, x, target);
            setFusedKernels(true);
            spec.paramNames.forEach((name, i) => {
              const d = maxRelDiff(hand[i]!.dataSync() as Float32Array, auto[i]!.dataSync() as Float32Array);
              expect(d, `${name}`).toBeLessThan(2e-4);
            });
          });
        });
      }
    }
  }

  for (const fusedKernels of [true, false]) {
    const how = fusedKernels ? 'fused' : 'composed';
    it(`residual connections (a layer added twice, a sum added again): gradients match tfjs autodiff (${how})`, () => {
      tf.tidy(() => {
        const loaded = tinyConfig({
          network: {
            inputDim: 6,
            layers: [
              { name: 'l1', units: 5, activation: 'elu' },
              { name: 'l2', units: 5, activation: 'tanh', residual: 'l1' },
              { name: 'l3', units: 5, activation: 'relu', weightNorm: false, residual: 'l1' },
              { name: 'l4', units: 5, activation: 'linear', residual: 'l2' },
              { name: 'out', units: 1, activation: 'linear' },
            ],
          },
        });
        const spec = buildCriticSpec(loaded.config);
        const params = initParams(spec, 11);
        const x = tf.randomNormal([7, 6], 0, 1.5, 'float32', 5) as tf.Tensor2D;
        const target = tf.randomNormal([7, 1], 0, 2, 'float32', 6) as tf.Tensor2D;
        setFusedKernels(false);
        const auto = tf.grads(lossFn(spec, x, target))(params);
        setFusedKernels(fusedKernels);
        const hand = handGradients(loaded.config, params, x, target);
        setFusedKernels(true);
        spec.paramNames.forEach((name, i) => {
          expect(maxRelDiff(hand[i]!.dataSync() as Float32Array, auto[i]!.dataSync() as Float32Array), name).toBeLessThan(2e-4);
        });
      });
    });
  }

  for (const norm of ['batch', 'layer'] as const) {
    for (const activation of ['relu', 'tanh', 'elu']) {
      for (const weightNorm of [true, false]) {
        it(`${norm} norm before ${activation}${weightNorm ? '' : ' (plain dense)'}: gradients match tfjs autodiff`, () => {
          tf.tidy(() => {
            const { config, spec, params, x, target } = setup(activation, weightNorm, norm);
            expect(spec.paramNames).toContain('l1/gamma');
            // Autodiff over the same forward (batch statistics in training mode, as the step uses);
            // the un-normalised output layer must run as composed ops for autodiff.
            setFusedKernels(false);
            const auto = tf.grads(lossFn(spec, x, target))(params);
            setFusedKernels(true);
            const hand = handGradients(config, params, x, target);
            spec.paramNames.forEach((name, i) => {
              // (b's true gradient is 0 under batch norm — a shift is normalised away — so compare
              // at the scale of the other gradients, not relative to rounding noise.)
              const d = maxRelDiff(hand[i]!.dataSync() as Float32Array, auto[i]!.dataSync() as Float32Array, 1e-2);
              expect(d, name).toBeLessThan(5e-4);
            });
          });
        });
      }
    }
  }

  for (const activation of ACTIVATIONS) {
    it(`matches central finite differences for ${activation}`, () => {
      tf.tidy(() => {
        const { config, spec, params, x, target } = setup(activation);
        const hand = handGradients(config, params, x, target).map((g) => g.dataSync() as Float32Array);
        const f = lossFn(spec, x, target);
        // (the loss itself through whichever path is active: both are checked against autodiff above)
        // float32 loss: steps of 1e-2 keep the rounding error (~1e-7·loss/1e-2) far below the tolerance.
        const eps = 1e-2;
        const checked: number[] = [];
        spec.paramNames.forEach((name, pi) => {
          const base = params[pi]!.dataSync() as Float32Array;
          for (const idx of [0, Math.floor(base.length / 2), base.length - 1]) {
            const plus = base.slice();
            plus[idx] = base[idx]! + eps;
            const minus = base.slice();
            minus[idx] = base[idx]! - eps;
            const withValue = (v: Float32Array) => {
              const ps = params.slice();
              ps[pi] = tf.tensor(v, params[pi]!.shape);
              return ps;
            };
            const at = (v: Float32Array) => f(...withValue(v)).dataSync()[0]!;
            // Kinked activations: skip a coordinate only where moving it by ±eps carries some unit's
            // pre-activation across 0 (the kink): there the difference quotient is not the derivative.
            if (KINKED.has(activation) && crossesKink(spec, withValue(plus), withValue(minus), x)) continue;
            const fd = (at(plus) - at(minus)) / (2 * eps);
            const g = hand[pi]![idx]!;
            expect(Math.abs(fd - g), `${name}[${idx}]: finite difference ${fd}, backward ${g}`).toBeLessThan(
              2e-2 * Math.max(1, Math.abs(fd)),
            );
            checked.push(idx);
          }
        });
        expect(checked.length).toBeGreaterThan(spec.paramNames.length);
      });
    });
  }
});
