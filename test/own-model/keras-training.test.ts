import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/model/load-config-with-model.js';
import { createDataStream } from '../../src/data/data-stream.js';
import { buildCriticSpec, initBuffers, initParams } from '../../src/model/critic.js';
import { readKerasModel } from '../../src/model/saved-model.js';
import { withSavedOptimizerState, withSavedWeights } from '../../src/model/start-from-files.js';
import { kerasOptimizerState, kerasSettings } from '../../src/model/keras-training.js';
import { Optimizer, type OptimizerConfig } from '../../src/config/schema.js';
import { createOptimizer } from '../../src/train/optimizers.js';
import { train } from '../../src/train/ensemble.js';
import { fromJson } from '../../src/report/json.js';
import type { RunReport } from '../../src/report/run-report.js';
import { cli, ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

// Compiled Keras models (scripts/write-keras-fixtures.py): their optimizer, clipping and loss come
// from the file, the optimizer's slots and iteration are restored, and the numbers are numpy's,
// computed by the script from the weights it wrote (float64), not by critic-doctor.
const DIR = path.join(ROOT, 'fixtures/keras');
const expected = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as {
  firstBatch: { rows: number; values: number[]; loss: number };
  adamAfter: number[][];
  rmspropAfter: number[][];
};

/** A config training `model` on the fixtures' rollout: precomputed returns, rows 0..7 first. */
function config(model: string, extra: string[] = [], network = ''): string {
  const dir = tempDir('cd-keras-train-');
  const file = path.join(dir, 'critic.yaml');
  writeFileSync(
    file,
    [
      'steps: 3',
      `batchSize: ${expected.firstBatch.rows}`,
      `network: { model: ${path.isAbsolute(model) ? model : path.join(DIR, model)}${network} }`,
      `data: { source: recorded, path: ${path.join(DIR, 'rollout.npz')}, targets: precomputed, sampling: sequential,`,
      '        arrays: { returns: returns } }',
      ...extra,
    ].join('\n'),
  );
  return file;
}

/** The same .keras archive with its members deflated (Keras writes them stored). */
function deflatedCopy(): string {
  const entries = unzipSync(readFileSync(path.join(DIR, 'critic-keras3.keras')));
  const out = path.join(tempDir('cd-keras-zip-'), 'critic.keras');
  writeFileSync(out, zipSync(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, [v, { level: 9 }]]))));
  return out;
}

/** Parameters after one training step of the config, in the model's order (kernel, bias per layer). */
async function afterFirstStep(file: string): Promise<number[][]> {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  const { config: c } = await loadConfig(file);
  const spec = buildCriticSpec(c);
  const stream = await createDataStream(c, { baseDir: path.dirname(file) });
  const model = path.resolve(path.dirname(file), c.network.model!);
  const params = await withSavedWeights(model, spec.paramNames, initParams(spec, c.seed));
  const optimizer = createOptimizer(c.optimizer);
  const restored = await withSavedOptimizerState(model, spec.paramNames, optimizer.slotNames, c.optimizer, optimizer.initSlots(params));
  expect(restored).not.toBeNull();
  const state = { params, slots: restored!.slots, iteration: restored!.iteration, buffers: initBuffers(spec) };
  const r = await train({ config: c, spec, stream, state, steps: 1, callbacks: [] });
  const out = r.state.params.map((p) => Array.from(p.dataSync()));
  tf.dispose([...r.state.params, ...r.state.slots.flat(), ...(r.state.buffers ?? [])]);
  return out;
}

/**
 * Worst absolute error of `got` against numpy's `want` over every value. The parameters are below
 * 0.6 in size (float32's ulp there is 6e-8) and each update about lr = 1e-3, so 1e-7 is an ulp or
 * two of rounding and a thousandth of an update: a wrong rule or unrestored slots are far above it.
 */
function worstError(got: number[][], want: number[][]): number {
  let worst = 0;
  got.forEach((g, i) => g.forEach((x, j) => (worst = Math.max(worst, Math.abs(x - want[i]![j]!)))));
  return worst;
}

describe('a compiled Keras model trains with the settings compile left in it', () => {
  for (const [name, model] of [
    ['tf.keras 2 .h5 with Adam', 'critic-adam-keras2.h5'],
    ['Keras 3 .keras (stored) with RMSprop', 'critic-keras3.keras'],
    ['Keras 3 .keras, members deflated', deflatedCopy()],
    ['tf.keras 2 .h5, not compiled', 'critic-keras2.h5'],
  ] as const) {
    it(`${name}: run trains it and the first step's loss is numpy's`, async () => {
      const out = path.join(tempDir('cd-keras-'), 'r.json');
      const r = await cli(['run', config(model), '--backend', 'cpu', '--json', out]);
      expect(r.code, r.stderr).toBe(0);
      const rep = fromJson<RunReport>(readFileSync(out, 'utf8'));
      expect(rep.stepsRun).toBe(3);
      const first = rep.history.points[0]!;
      expect(first.step).toBe(0);
      expect(Math.abs(first.loss - expected.firstBatch.loss) / expected.firstBatch.loss).toBeLessThan(1e-5);
      // The header says where the optimizer, clipping and loss came from.
      if (model === 'critic-adam-keras2.h5') {
        expect(rep.settingsFrom).toEqual([
          "optimizer Adam lr 0.001 β1 0.9 β2 0.999 ε 1e-7 (from critic-adam-keras2.h5's training_config, slots restored at iteration 5400)",
          "clip none (from critic-adam-keras2.h5's training_config)",
          "loss mse (from critic-adam-keras2.h5's training_config)",
        ]);
        expect(rep.config!.optimizer).toMatchObject({ type: 'adam', lr: 0.001, epsilon: 1e-7 });
        expect(r.stdout).toContain('slots restored at iteration 5400');
      }
    }, 60_000);
  }

  it('a config key overrides the file, and restoreOptimizer: false starts the slots afresh', async () => {
    const { config: own, settingsFrom } = await loadConfig(
      config('critic-adam-keras2.h5', ['optimizer: { type: sgd, lr: 0.01 }', 'loss: huber']),
    );
    expect(own.optimizer.type).toBe('sgd');
    expect(own.loss).toBe('huber');
    expect(own.network.restoreOptimizer).toBeUndefined();
    expect(settingsFrom).toBeUndefined();
    const fresh = await loadConfig(config('critic-adam-keras2.h5', [], ', restoreOptimizer: false'));
    expect(fresh.config.optimizer.type).toBe('adam');
    expect(fresh.config.network.restoreOptimizer).toBe(false);
    expect(fresh.settingsFrom![0]).toMatch(/slots afresh: network.restoreOptimizer false/);
  });

  it('Adam resumes: the first update equals numpy Adam from the restored m, v and iteration 5400', async () => {
    const got = await afterFirstStep(config('critic-adam-keras2.h5'));
    expect(worstError(got, expected.adamAfter)).toBeLessThan(1e-7);
  });

  it("a config optimizer of another kind than the file's: restoring its state is refused, for either engine's caller", async () => {
    const file = path.join(DIR, 'critic-adam-keras2.h5');
    const keras = (await readKerasModel(file))!;
    const settings = kerasSettings(keras, { optimizer: true, loss: false });
    const params = keras.layers
      .filter((l) => keras.weights.has(l.name))
      .flatMap((l) => keras.weights.get(l.name)!.map((t, k) => ({ name: `${l.name}/${k === 0 ? 'W' : 'b'}`, shape: t.shape })));
    expect(kerasOptimizerState(keras, settings, params, Optimizer.parse({ type: 'adam' }) as OptimizerConfig)).not.toBeNull();
    expect(() => kerasOptimizerState(keras, settings, params, Optimizer.parse({ type: 'sgd' }) as OptimizerConfig)).toThrow(
      /the file's optimizer is adam, the config's sgd: its state cannot be restored into another kind/,
    );
  });

  it('Keras 3 RMSprop resumes: ε inside the sqrt, the restored velocity, numpy to float32', async () => {
    const got = await afterFirstStep(config('critic-keras3.keras'));
    expect(worstError(got, expected.rmspropAfter)).toBeLessThan(1e-7);
  });
});
