import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';
import { createDataStream } from '../../src/data/data-stream.js';
import { buildCriticSpec, initBuffers, initParams } from '../../src/model/critic.js';
import { createOptimizer } from '../../src/train/optimizers.js';
import { trainStep } from '../../src/train/step.js';
import { batchTensors, disposeInputs } from '../../src/train/batch-tensors.js';
import { wholeStepApplies } from '../../src/train/whole-step.js';
import { EventRules } from '../../src/watch/event-rules.js';
import { Tap } from '../../src/watch/tap.js';
import { describeEachBackend } from '../helpers/backends.js';
import { seedRaw } from '../helpers/configs.js';

/** Every step's statistics, loss and the final parameters and slots, by the whole-step kernel or the per-layer path. */
async function run(raw: Record<string, unknown>, steps: number, whole: boolean) {
  const config = validateConfig(raw).config;
  const spec = buildCriticSpec(config);
  const stream = await createDataStream(config);
  const optimizer = createOptimizer(config.optimizer);
  const params = initParams(spec, config.seed);
  let state = { params, slots: optimizer.initSlots(params), iteration: 0, buffers: initBuffers(spec) };
  const ctx = { spec, config, optimizer };
  expect(wholeStepApplies(ctx, state)).toBe(true);
  const seen: number[][] = [];
  for (let i = 0; i < steps; i++) {
    const inputs = batchTensors(stream.sampler.next());
    // A tap that wants the tensors themselves makes the step take the per-layer path.
    const tap = new Tap(true, whole);
    const out = tf.tidy(() => {
      const o = trainStep(ctx, state, inputs, tap);
      const stats = tap.stats ?? new EventRules(config.watch).stats(tap.tensors, tap.points);
      expect(!!tap.stats).toBe(whole);
      seen.push([...stats.dataSync(), ...o.loss.dataSync()]);
      return { params: o.params, slots: o.slots, buffers: o.buffers };
    });
    disposeInputs(inputs);
    const kept = new Set(out.buffers);
    tf.dispose([...state.params, ...state.slots.flat(), ...state.buffers.filter((b) => !kept.has(b))]);
    state = { params: out.params, slots: out.slots, iteration: i + 1, buffers: out.buffers };
  }
  const all = [...state.params, ...state.slots.flat(), ...state.buffers];
  const final = all.map((t) => Array.from(t.dataSync()));
  tf.dispose(all);
  return { seen, final };
}

/** A SimBa-like stack: `a` added to two later layers, `c`'s sum added again, dropout before a residual. */
const residualLayers = [
  { name: 'a', units: 24, activation: 'relu' },
  { name: 'b', units: 24, activation: 'relu', weightNorm: false, dropout: 0.2 },
  { name: 'c', units: 24, activation: 'linear', weightNorm: false, residual: 'a' },
  { name: 'd', units: 24, activation: 'tanh', residual: 'a', dropout: 0.1 },
  { name: 'e', units: 24, activation: 'elu', weightNorm: false, residual: 'c' },
  { name: 'out', units: 1, activation: 'linear' },
];
const bootstrap = { source: 'synthetic', transitions: 512, stateScale: 10, targets: 'bootstrap', gamma: 0.99, episodeLength: 50 };
const variants: [string, Record<string, unknown>][] = [
  ['seed relu, bootstrapped, TF1 RMSProp, per-tensor clip', seedRaw('relu', { data: bootstrap })],
  ['tanh, Adam, global clip', seedRaw('tanh', { optimizer: { type: 'adam', lr: 1e-3 }, clip: { mode: 'global', norm: 1 } })],
  [
    'elu, SGD with momentum, no clip, target network',
    seedRaw('elu', {
      optimizer: { type: 'sgd', lr: 1e-3, momentum: 0.9 },
      clip: { mode: 'none' },
      data: { ...bootstrap, targetNetwork: { updateEvery: 5 } },
    }),
  ],
  [
    'selu, RMSProp with momentum, ε outside',
    seedRaw('selu', { optimizer: { type: 'rmsprop', lr: 1e-3, momentum: 0.5, epsilonPlacement: 'outside' } }),
  ],
  [
    'sigmoid and leaky relu, plain dense layers',
    {
      ...seedRaw('sigmoid'),
      network: {
        inputDim: 48,
        layers: [
          { name: 'a', units: 13, activation: 'sigmoid', weightNorm: false },
          { name: 'b', units: 7, activation: 'leaky_relu', weightNorm: false },
          { name: 'out', units: 1, activation: 'linear', weightNorm: false },
        ],
      },
    },
  ],
  [
    'Q(s, a) with the action joining the second layer (a Keras TD3 critic), denseWN elu, Polyak target',
    {
      ...seedRaw('elu', { data: { ...bootstrap, targetNetwork: { tau: 0.05 } }, optimizer: { type: 'adam', lr: 1e-3 } }),
      network: {
        inputDim: 11,
        actionDim: 3,
        actionAt: 'b',
        layers: [
          { name: 'a', units: 20, activation: 'elu' },
          { name: 'b', units: 9, activation: 'relu', weightNorm: false },
          { name: 'out', units: 1, activation: 'linear' },
        ],
      },
    },
  ],
  [
    'dropout after two layers (0.1 and 0.5), denseWN relu and plain tanh, bootstrapped from a hard-copy target',
    {
      ...seedRaw('relu', { data: { ...bootstrap, targetNetwork: { updateEvery: 4 } } }),
      network: {
        inputDim: 48,
        layers: [
          { name: 'a', units: 24, activation: 'relu', dropout: 0.1 },
          { name: 'b', units: 16, activation: 'tanh', weightNorm: false, dropout: 0.5 },
          { name: 'out', units: 1, activation: 'linear' },
        ],
      },
    },
  ],
  [
    'residual connections (one layer added twice, a sum added again, after dropout), bootstrapped from a Polyak target',
    {
      ...seedRaw('relu', { data: { ...bootstrap, targetNetwork: { tau: 0.05 } }, optimizer: { type: 'adam', lr: 1e-3 } }),
      network: { inputDim: 48, layers: residualLayers },
    },
  ],
  [
    'twin Q(s, a) critics with residual blocks, the action joining the second layer',
    {
      ...seedRaw('elu', { data: { ...bootstrap, targetNetwork: { tau: 0.05 } }, optimizer: { type: 'adam', lr: 1e-3 } }),
      network: {
        inputDim: 11,
        actionDim: 3,
        actionAt: 'b',
        critics: 2,
        layers: [
          { name: 'a', units: 16, activation: 'elu', weightNorm: false },
          { name: 'b', units: 16, activation: 'relu', weightNorm: false },
          { name: 'c', units: 16, activation: 'linear', weightNorm: false, residual: 'b' },
          { name: 'out', units: 1, activation: 'linear', weightNorm: false },
        ],
      },
    },
  ],
];

describeEachBackend('the whole-step kernel', () => {
  for (const [name, raw] of variants) {
    it(`equals the per-layer path bit for bit: every step's statistics and loss, the final state (${name})`, async () => {
      const whole = await run(raw, 30, true);
      const layered = await run(raw, 30, false);
      expect(whole.seen.length).toBe(30);
      whole.seen.forEach((s, i) =>
        expect(
          s.every((x, j) => Object.is(x, layered.seen[i]![j])),
          `step ${i}`,
        ).toBe(true),
      );
      whole.final.forEach((p, i) =>
        expect(
          p.every((x, j) => Object.is(x, layered.final[i]![j])),
          `tensor ${i}`,
        ).toBe(true),
      );
    });
  }
});

// With normalisation, Huber, return normalisation or a penalty, the per-layer path is composed
// tfjs ops (tfjs's own reductions and rsqrt): the two agree to float32 rounding.
const normed = (norm: string, act: string, weightNorm: boolean, normEpsilon?: number) => ({
  ...seedRaw(act, { data: bootstrap }),
  network: {
    inputDim: 48,
    layers: [
      { name: 'l3', units: 64, activation: act, norm, weightNorm, normEpsilon },
      { name: 'l3_1', units: 32, activation: act, norm, weightNorm, normEpsilon },
      { name: 'l4', units: 1, activation: 'linear', weightNorm },
    ],
  },
});
const normVariants: [string, Record<string, unknown>][] = [
  ['Huber loss', seedRaw('relu', { loss: 'huber', huberDelta: 1, data: bootstrap })],
  ['return normalisation', seedRaw('tanh', { data: { ...bootstrap, returnNormalization: { epsilon: 1e-8 } } })],
  ['L1 and L2 penalties added to the loss', seedRaw('elu', { regularization: { l1: 0.005, l2: 0.01, addToLoss: true } })],
  ['batch norm, relu, denseWN, bootstrapped (moving averages in v(s′))', normed('batch', 'relu', true)],
  ['layer norm, tanh, plain dense', normed('layer', 'tanh', false)],
  ['batch norm, elu, plain dense', normed('batch', 'elu', false)],
  ["layer norm with a file's own ε (Keras's 1e-3), relu, plain dense", normed('layer', 'relu', false, 1e-3)],
];

describeEachBackend('the whole-step kernel where the per-layer path is composed ops', () => {
  for (const [name, raw] of normVariants) {
    it(`agrees with the composed ops to float32 rounding after 30 steps, moving averages included (${name})`, async () => {
      const whole = await run(raw, 30, true);
      const layered = await run(raw, 30, false);
      whole.final.forEach((p, i) => {
        const ref = layered.final[i]!;
        const scale = Math.max(1e-6, ...ref.map(Math.abs));
        const worst = Math.max(...p.map((x, j) => Math.abs(x - ref[j]!) / scale));
        expect(worst, `tensor ${i}`).toBeLessThan(1e-4);
      });
      // The same points watched, no NaN or Inf on either path.
      expect(whole.seen[0]!.length).toBe(layered.seen[0]!.length);
    });
  }
});
