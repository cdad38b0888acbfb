import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSavedCritic } from '../../src/model/saved-model.js';
import { loadConfig } from '../../src/model/load-config-with-model.js';
import { ConfigError } from '../../src/config/errors.js';
import { fromJson } from '../../src/report/json.js';
import type { RunReport } from '../../src/report/run-report.js';
import { cli, ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

// Keras models saved in the legacy HDF5 layout (scripts/write-keras-fixtures.py, h5py to Keras's
// layout: Keras is not in Debian), as `network.model`, recognised by content.
const DIR = path.join(ROOT, 'fixtures/keras');
type Expected = Record<string, { kernelShape: number[]; kernelSum: number; kernel00: number; bias: number[] }>;
const expected = (JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as { layers: Expected }).layers;

function config(model: string, steps = 30): string {
  const dir = tempDir('cd-keras-');
  const file = path.join(dir, 'critic.yaml');
  writeFileSync(
    file,
    [`steps: ${steps}`, 'batchSize: 8', `network: { model: ${path.resolve(DIR, model)} }`, 'data: { source: synthetic }'].join('\n'),
  );
  return file;
}

describe('Keras legacy .h5 models as network.model', () => {
  for (const [file, activation] of [
    ['critic-keras2.h5', 'tanh'], // tf.keras 2 Sequential: batch_input_shape, dense/kernel:0
    ['critic-keras3-functional.h5', 'relu'], // Keras 3 Functional: batch_shape, keras_history, critic/dense/kernel
  ] as const) {
    it(`${file}: the layers, their activations and every weight as h5py wrote them`, async () => {
      const c = await readSavedCritic(path.join(DIR, file));
      expect(c.inputDim).toBe(5);
      expect(c.layers.map((l) => [l.name, l.units, l.activation])).toEqual([
        ['dense', 16, activation],
        ['dense_1', 16, activation],
        ['dense_2', 1, 'linear'],
      ]);
      for (const l of c.layers) {
        const e = expected[l.name]!;
        expect(l.kernel.shape).toEqual(e.kernelShape);
        expect(l.kernel.values[0]).toBe(e.kernel00);
        expect(l.kernel.values.reduce((a, b) => a + b, 0)).toBeCloseTo(e.kernelSum, 5);
        expect(Array.from(l.bias.values)).toEqual(e.bias);
      }
    });
  }

  it('critic-doctor run trains it and the report names the Keras layers', async () => {
    const out = path.join(tempDir('cd-keras-'), 'r.json');
    const r = await cli(['run', config('critic-keras2.h5'), '--backend', 'cpu', '--json', out, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const rep = fromJson<RunReport>(readFileSync(out, 'utf8'));
    expect(rep.stepsRun).toBe(30);
    expect(rep.config!.network.layers.map((l) => l.name)).toEqual(['dense', 'dense_1', 'dense_2']);
  }, 60_000);

  const truncated = path.join(tempDir('cd-keras-'), 'critic-truncated.keras');
  const whole = readFileSync(path.join(DIR, 'critic-keras3.keras'));
  writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
  const refusals = [
    ['critic-weights-only.h5', /holds weights only \(Keras save_weights\): save the whole model/],
    ['critic-keras3.weights.h5', /holds weights only \(Keras save_weights\): save the whole model/],
    ['critic-lambda.h5', /layer scale: Lambda is not supported/],
    ['post-norm-critic.h5', /layer post_norm: LayerNormalization is not supported where it stands: .*\(before its activation\)/],
    ['inputs-added-critic.h5', /its inputs obs and act join in a way critic-doctor does not train: a Q\(s, a\) critic concatenates/],
    ['critic-missing-weights.h5', /layer dense_1: no weights stored for it/],
    ['critic-bad-shape.h5', /layer dense: kernel of shape \[5,8\] for 16 units/],
    ['critic-no-config.keras', /no config.json in the archive/],
    [truncated, /not a readable .keras \(zip\) archive/],
  ] as const;
  for (const [file, message] of refusals) {
    it(`${path.basename(file)}: refused as a config error naming the file and why`, async () => {
      const e = await loadConfig(config(file)).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ConfigError);
      expect(String((e as ConfigError).message)).toMatch(message);
      expect((e as ConfigError).location.file).toContain(path.basename(file));
    });
  }

  // What the CLI makes of such an error, for .h5 refusals (a weights-only file, a layer where the engine has none) and a .keras one.
  for (const [file, message] of [refusals[0], refusals[3], refusals[8]]) {
    it(`${path.basename(file)}: the CLI exits 2 with one line naming the file and why, no report`, async () => {
      const out = path.join(tempDir('cd-keras-'), 'r.json');
      const r = await cli(['run', config(file), '--json', out]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain(path.basename(file));
      expect(existsSync(out)).toBe(false);
    }, 60_000);
  }
});
