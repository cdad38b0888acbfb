import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../src/core/run.js';
import { criticForward } from '../../src/engine/critic-forward.js';
import { buildCriticSpec, initBuffers, initParams } from '../../src/model/critic.js';
import { foldDenseBlocks } from '../../src/model/keras-fold.js';
import { kerasDenseChain } from '../../src/model/keras-chain.js';
import { validateConfig } from '../../src/config/load-config.js';
import { dropoutMask } from '../../src/engine/dropout-mask.js';
import type { KerasModel } from '../../src/model/keras-model.js';
import { loadConfig } from '../../src/model/load-config-with-model.js';
import { withSavedBuffers, withSavedWeights } from '../../src/model/start-from-files.js';
import { TrainCallback, type StepLogs } from '../../src/train/callbacks.js';
import { ROOT } from '../helpers/cli.js';
import { oneBatchConfig } from '../helpers/one-batch-config.js';
import { kerasLayer, kerasModelOf } from '../helpers/keras-layers.js';

// A tf.keras 2 critic of Dense → LayerNormalization (ε 1e-3) → Activation blocks
// (scripts/write-keras-norm-fixture.py, with numpy's forward pass): folded into a chain, it runs
// on the critic engine, whose layer normalisation sits between x·W + b and the nonlinearity.
const MODEL = path.join(ROOT, 'fixtures/keras/ln-critic-keras2.h5');
const expected = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/keras/ln-expected.json'), 'utf8')) as {
  obs: number[][];
  v: number[];
  loss: number;
};

/** Each value within 1e-5 of the largest expected. */
function close(got: number[], want: number[]): void {
  const scale = Math.max(...want.map(Math.abs));
  expect(Math.max(...want.map((w, i) => Math.abs(got[i]! - w) / scale))).toBeLessThan(1e-5);
}

function config(obs = expected.obs, model = MODEL): string {
  return oneBatchConfig(model, obs);
}

describe('Keras Dense → LayerNormalization → Activation blocks on the critic engine', () => {
  it("fold into layers with norm: layer and Keras's ε; the engine's forward is numpy's; step-0 loss too", async () => {
    const file = config();
    const { config: c } = await loadConfig(file);
    expect(c.network.layers.map((l) => `${l.name} ${l.activation} ${l.norm}`)).toEqual([
      'dense relu layer',
      'dense_1 elu none',
      'dense_2 linear none',
    ]);
    expect(c.network.layers[0]!.normEpsilon).toBeCloseTo(1e-3, 12);
    const spec = buildCriticSpec(c);
    const params = await withSavedWeights(MODEL, spec.paramNames, initParams(spec, 0));
    const v = tf.tidy(() => criticForward(spec, params, tf.tensor2d(expected.obs)).at(-1)!.act.dataSync());
    tf.dispose(params);
    const scale = Math.max(...expected.v.map(Math.abs));
    expect(Math.max(...expected.v.map((w, i) => Math.abs(v[i]! - w) / scale))).toBeLessThan(1e-5);
    const rep = await runDiagnosis({ loaded: await loadConfig(file), backend: 'cpu' });
    expect(Math.abs((rep.history.points[0]!.loss as number) - expected.loss) / expected.loss).toBeLessThan(1e-5);
  });

  it("Dense → BatchNormalization → Activation folds with the file's ε, momentum and moving statistics", async () => {
    const bn = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/keras/bn-expected.json'), 'utf8')) as {
      obs: number[][];
      loss: number;
      vEval: number[];
      movingMean: number[];
      movingVariance: number[];
    };
    const file = config(bn.obs, path.join(ROOT, 'fixtures/keras/bn-critic-keras2.h5'));
    const loaded = await loadConfig(file);
    const l0 = loaded.config.network.layers[0]!;
    expect([l0.activation, l0.norm, l0.normMomentum]).toEqual(['tanh', 'batch', 0.9]);
    const spec = buildCriticSpec(loaded.config);
    const model = path.join(ROOT, 'fixtures/keras/bn-critic-keras2.h5');
    const params = await withSavedWeights(model, spec.paramNames, initParams(spec, 0));
    const buffers = await withSavedBuffers(model, spec.bufferNames, initBuffers(spec));
    // Evaluation (the bootstrap pass) normalises with the file's moving statistics.
    const v = tf.tidy(() => criticForward(spec, params, tf.tensor2d(bn.obs), buffers, true).at(-1)!.act.dataSync());
    tf.dispose([...params, ...buffers]);
    close(Array.from(v), bn.vEval);
    for (const backend of ['cpu', 'wasm'] as const) {
      let after: tf.Tensor[] = [];
      const seen = new (class extends TrainCallback {
        override onStepEnd(_s: number, logs: StepLogs): void {
          after = logs.state.buffers!.map((b) => b.clone());
        }
      })();
      const rep = await runDiagnosis({ loaded, callbacks: [seen], backend });
      expect(Math.abs((rep.history.points[0]!.loss as number) - bn.loss) / bn.loss, backend).toBeLessThan(1e-5);
      // m ← 0.9·m + 0.1·(the batch's mean, its biased variance): from the file's statistics.
      close(Array.from(after[0]!.dataSync()), bn.movingMean);
      close(Array.from(after[1]!.dataSync()), bn.movingVariance);
      tf.dispose(after);
    }
  });

  it('folds nothing the engine would compute differently: a norm after a nonlinearity, a Dense output read twice', () => {
    const m = (layers: KerasModel['layers']) => kerasModelOf(layers);
    const postActivation = m([
      kerasLayer('InputLayer', 'obs', []),
      kerasLayer('Dense', 'd', ['obs'], { units: 4, activation: 'relu' }),
      kerasLayer('LayerNormalization', 'ln', ['d']),
    ]);
    expect(foldDenseBlocks(postActivation)).toBe(postActivation);
    const residual = m([
      kerasLayer('InputLayer', 'obs', []),
      kerasLayer('Dense', 'd', ['obs'], { units: 4 }),
      kerasLayer('Activation', 'a', ['d'], { activation: 'relu' }),
      kerasLayer('Add', 'sum', ['a', 'd']),
    ]);
    expect(foldDenseBlocks(residual)).toBe(residual);
    const rms = m([
      kerasLayer('InputLayer', 'obs', []),
      kerasLayer('Dense', 'd', ['obs'], { units: 4 }),
      kerasLayer('LayerNormalization', 'ln', ['d'], { rms_scaling: true }),
    ]);
    expect(foldDenseBlocks(rms)).toBe(rms);
  });

  it('a Dropout after a Dense folds into it as its rate; one before an Activation does not (the engine drops after it)', () => {
    const t = (name: string, shape: number[]) => ({ name, shape, values: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    const weights = new Map([
      ['d', [t('d/kernel:0', [3, 4]), t('d/bias:0', [4])]],
      ['v', [t('v/kernel:0', [4, 1]), t('v/bias:0', [1])]],
    ]);
    const m = (layers: KerasModel['layers']) => kerasModelOf(layers, weights);
    const folded = kerasDenseChain(
      m([
        kerasLayer('InputLayer', 'obs', []),
        kerasLayer('Dense', 'd', ['obs'], { units: 4, activation: 'relu' }),
        kerasLayer('Dropout', 'drop', ['d'], { rate: 0.2 }),
        kerasLayer('Dense', 'v', ['drop'], { units: 1 }),
      ]),
    );
    expect(folded.layers.map((l) => [l.name, l.activation, l.dropout])).toEqual([
      ['d', 'relu', 0.2],
      ['v', 'linear', undefined],
    ]);
    const before = m([
      kerasLayer('InputLayer', 'obs', []),
      kerasLayer('Dense', 'd', ['obs'], { units: 4 }),
      kerasLayer('Dropout', 'drop', ['d'], { rate: 0.2 }),
      kerasLayer('Activation', 'a', ['drop'], { activation: 'tanh' }),
    ]);
    expect(foldDenseBlocks(before).layers.map((l) => l.className)).toEqual(['InputLayer', 'Dense', 'Activation']);
  });

  it("dropout masks are the run's: the same seed trains the same, without dropout otherwise; a rate's share dropped", async () => {
    const raw = (seed: number, dropout?: number) => ({
      seed,
      steps: 20,
      batchSize: 32,
      network: {
        inputDim: 6,
        layers: [
          { name: 'a', units: 16, activation: 'relu', weightNorm: false, ...(dropout ? { dropout } : {}) },
          { name: 'v', units: 1, weightNorm: false },
        ],
      },
      optimizer: { type: 'adam', lr: 0.01 },
      data: { source: 'synthetic', transitions: 256 },
    });
    const losses = async (seed: number, dropout?: number) =>
      (await runDiagnosis({ loaded: validateConfig(raw(seed, dropout)), backend: 'cpu' })).history.points.map((p) => p.loss);
    const a = await losses(0, 0.3);
    expect(await losses(0, 0.3)).toEqual(a);
    expect(await losses(0)).not.toEqual(a);
    expect(a.every((x) => Number.isFinite(x))).toBe(true);
    // The mask itself: a rate's share of zeros, the rest 1/(1 − rate) in float32; another step, another mask.
    const m = dropoutMask(0, 5, 1, 20_000, 0.3);
    const zeros = m.filter((x) => x === 0).length / m.length;
    expect(Math.abs(zeros - 0.3)).toBeLessThan(0.02);
    expect(new Set(m)).toEqual(new Set([0, Math.fround(1 / 0.7)]));
    expect(dropoutMask(0, 6, 1, 20_000, 0.3)).not.toEqual(m);
  });
});
