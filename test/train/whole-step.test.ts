import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';
import { createDataStream } from '../../src/data/data-stream.js';
import { buildCriticSpec, initParams } from '../../src/model/critic.js';
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
  let state = { params, slots: optimizer.initSlots(params), iteration: 0 };
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
      return { params: o.params, slots: o.slots };
    });
    disposeInputs(inputs);
    tf.dispose([...state.params, ...state.slots.flat()]);
    state = { params: out.params, slots: out.slots, iteration: i + 1 };
  }
  const final = [...state.params, ...state.slots.flat()].map((t) => Array.from(t.dataSync()));
  tf.dispose([...state.params, ...state.slots.flat()]);
  return { seen, final };
}

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
