import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';
import { createDataStream } from '../../src/data/data-stream.js';
import { hasJsKernel, setFusedKernels } from '../../src/engine/js-kernel.js';
import { buildCriticSpec, initParams } from '../../src/model/critic.js';
import { DENSE_FORWARD_KERNEL } from '../../src/engine/dense-wn-kernels.js';
import { LAYER_FORWARD_KERNEL } from '../../src/engine/dense-layer-kernels.js';
import { runDiagnosis } from '../../src/core/run.js';
import { createOptimizer } from '../../src/train/optimizers.js';
import { trainStep } from '../../src/train/step.js';
import { batchTensors, disposeInputs } from '../../src/train/batch-tensors.js';
import { describeEachBackend } from '../helpers/backends.js';
import { seedRaw } from '../helpers/configs.js';

/** Parameters after `steps` steps, with the fused kernels on or off. */
async function paramsAfter(raw: Record<string, unknown>, steps: number, fused: boolean): Promise<Float32Array[]> {
  setFusedKernels(fused);
  try {
    const config = validateConfig(raw).config;
    const spec = buildCriticSpec(config);
    const stream = await createDataStream(config);
    const optimizer = createOptimizer(config.optimizer);
    const params = initParams(spec, config.seed);
    let state = { params, slots: optimizer.initSlots(params), iteration: 0 };
    for (let i = 0; i < steps; i++) {
      const inputs = batchTensors(stream.sampler.next());
      const out = tf.tidy(() => trainStep({ spec, config, optimizer }, state, inputs));
      disposeInputs(inputs);
      tf.dispose([...state.params, ...state.slots.flat(), out.loss]);
      state = { params: out.params, slots: out.slots, iteration: i + 1 };
    }
    const values = state.params.map((p) => p.dataSync().slice() as Float32Array);
    tf.dispose([...state.params, ...state.slots.flat()]);
    return values;
  } finally {
    setFusedKernels(true);
  }
}

const variants: [string, Record<string, unknown>][] = [
  [
    'seed relu, TF1 RMSProp, per-tensor clip',
    seedRaw('relu', { data: { source: 'synthetic', transitions: 1024, stateScale: 10, targets: 'bootstrap', gamma: 0.99 } }),
  ],
  ['tanh, Adam, global clip', seedRaw('tanh', { optimizer: { type: 'adam', lr: 1e-3 }, clip: { mode: 'global', norm: 1 } })],
  ['elu, SGD with momentum, no clip', seedRaw('elu', { optimizer: { type: 'sgd', lr: 1e-3, momentum: 0.9 }, clip: { mode: 'none' } })],
  // (rmsInit 0 is not used here: its first steps are ±10·lr whatever the gradient's size, so a
  // gradient within rounding of 0 flips a whole step, and 100 steps amplify float32 rounding
  // into differences of 1e-2 on wasm — a property of that optimizer, measured, not of the kernels.)
  [
    'selu, RMSProp with momentum, ε outside',
    seedRaw('selu', { optimizer: { type: 'rmsprop', lr: 1e-3, momentum: 0.5, rmsInit: 1, epsilonPlacement: 'outside' } }),
  ],
  [
    'relu, RMSProp rmsInit 0 (Keras/PyTorch style), 20 steps',
    seedRaw('relu', { optimizer: { type: 'rmsprop', lr: 1e-3, rmsInit: 0, epsilonPlacement: 'outside' } }),
  ],
];

describeEachBackend('fused kernels', (backend) => {
  it('are what this backend runs', () => {
    expect(hasJsKernel(DENSE_FORWARD_KERNEL)).toBe(true);
    expect(hasJsKernel(LAYER_FORWARD_KERNEL)).toBe(true);
  });

  for (const [name, raw] of variants) {
    const steps = name.includes('20 steps') ? 20 : 100;
    it(`give the reference step's parameters after ${steps} steps (${name})`, async () => {
      const fused = await paramsAfter(raw, steps, true);
      const ref = await paramsAfter(raw, steps, false);
      fused.forEach((p, i) => {
        let worst = 0;
        let scale = 1e-6;
        for (let j = 0; j < p.length; j++) scale = Math.max(scale, Math.abs(ref[i]![j]!));
        for (let j = 0; j < p.length; j++) worst = Math.max(worst, Math.abs(p[j]! - ref[i]![j]!) / scale);
        // float32 rounding, accumulated over 100 steps: the kernels' matmuls sum each output in
        // float32 along the shared dimension from 0 (assembly/matmul.ts), tfjs's in its own order
        // (cpu: float64 in blocks of 48; wasm: XNNPACK, or a float32 loop in blocks of 48).
        expect(worst, `param ${i}`).toBeLessThan(1e-4);
      });
    });
  }

  it('the watchdog localises the planted zero column the same way with the composed ops', async () => {
    setFusedKernels(false);
    try {
      const r = await runDiagnosis({
        loaded: validateConfig(seedRaw('relu', { steps: 3 })),
        backend: backend as 'cpu',
        plant: {
          params: (name, values, shape) => {
            if (name !== 'l3_2/V') return;
            for (let i = 0; i < shape[0]!; i++) values[i * shape[1]! + 4] = 0;
            return values;
          },
        },
      });
      expect(r.firstEvents.inf).toMatchObject({ step: 0, phase: 'forward', layer: 'l3_2', tensor: 'scaler' });
      expect(r.firstEvents.nan).toMatchObject({ step: 0, phase: 'forward', layer: 'l3_2', tensor: 'pre-activation' });
    } finally {
      setFusedKernels(true);
    }
  });
});
