import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { fromJson } from '../../src/report/json.js';
import type { RunReport } from '../../src/report/run-report.js';
import { readSavedCritic } from '../../src/model/saved-model.js';
import { cli, ROOT } from '../helpers/cli.js';
import { npyBytes } from '../helpers/npy.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const pick = (e: RunReport['firstEvents']['nan']) => (e ? { step: e.step, phase: e.phase, layer: e.layer, tensor: e.tensor } : null);

// The example (examples/own-model/train.mjs) trains a tfjs Sequential relu critic that goes NaN,
// watched by watchModel, and saves its initial weights as model.json + weights.bin.
describe('your own model: the example, and `run` on its saved model.json', () => {
  let dir = '';
  let example: RunReport;
  /** The example's critic.yaml, pointing at this test's copy of out/. */
  let modelConfig: Record<string, unknown>;
  beforeAll(async () => {
    dir = tempDir('cd-own-');
    await run(process.execPath, [path.join(ROOT, 'examples/own-model/train.mjs'), path.join(dir, 'out')], { cwd: ROOT, timeout: 120_000 });
    example = fromJson<RunReport>(readFileSync(path.join(dir, 'out/report.json'), 'utf8'));
    const { parse } = await import('yaml');
    modelConfig = parse(readFileSync(path.join(ROOT, 'examples/own-model/critic.yaml'), 'utf8'));
    writeFileSync(path.join(dir, 'critic.yaml'), stringify(modelConfig));
  }, 180_000);

  it("the example's NaN is localised: step, layer and tensor of the first Inf, NaN and explosion", () => {
    expect(example.verdict.worst).toBe('nan');
    expect(example.firstEvents.inf).toMatchObject({ phase: 'forward', layer: 'v', tensor: 'x·W' });
    expect(example.firstEvents.explosion!.step).toBeLessThan(example.firstEvents.inf!.step);
    expect(example.status).toBe('stopped');
  });

  it('`run` on its model.json agrees: same first Inf and explosion (step, phase, layer, tensor), NaN at the same step', async () => {
    for (const backend of ['cpu', 'wasm']) {
      const out = path.join(dir, `m-${backend}.json`);
      const r = await cli(['run', path.join(dir, 'critic.yaml'), '--backend', backend, '--json', out, '-q']);
      expect(r.code, r.stderr).toBe(1);
      const rep = fromJson<RunReport>(readFileSync(out, 'utf8'));
      expect(rep.config!.network.layers.map((l) => [l.name, l.units, l.activation, l.weightNorm])).toEqual([
        ['l1', 64, 'relu', false],
        ['l2', 32, 'relu', false],
        ['v', 1, 'linear', false],
      ]);
      expect(pick(rep.firstEvents.inf), backend).toEqual(pick(example.firstEvents.inf));
      expect(pick(rep.firstEvents.explosion), backend).toEqual(pick(example.firstEvents.explosion));
      // The example sees no `error (target − v)` tensor (it is inside the user's loss function): only the step is compared.
      expect(rep.firstEvents.nan!.step).toBe(example.firstEvents.nan!.step);
    }
  }, 120_000);

  it('network.model and the equivalent network.layers (weightNorm false, same weights via initFrom): same per-step losses', async () => {
    const model = JSON.parse(readFileSync(path.join(dir, 'out/model/model.json'), 'utf8'));
    const weights = readFileSync(path.join(dir, 'out/model/weights.bin'));
    const init = path.join(dir, 'init');
    mkdirSync(init, { recursive: true });
    let offset = 0;
    for (const w of model.weightsManifest[0].weights as { name: string; shape: number[] }[]) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const values = Array.from(new Float32Array(weights.buffer.slice(weights.byteOffset + offset, weights.byteOffset + offset + 4 * n)));
      offset += 4 * n;
      const [layer, kind] = w.name.split('/') as [string, string];
      writeFileSync(path.join(init, `${layer}__${kind === 'kernel' ? 'W' : 'b'}.npy`), npyBytes(values, w.shape, 'f4'));
    }
    const layers = [
      { name: 'l1', units: 64, activation: 'relu', weightNorm: false },
      { name: 'l2', units: 32, activation: 'relu', weightNorm: false },
      { name: 'v', units: 1, activation: 'linear', weightNorm: false },
    ];
    const every = { watch: { failOn: 'inf', historyEvery: 1 } };
    const net = modelConfig.network as Record<string, unknown>;
    writeFileSync(path.join(dir, 'a.yaml'), stringify({ ...modelConfig, ...every }));
    writeFileSync(path.join(dir, 'b.yaml'), stringify({ ...modelConfig, ...every, network: { inputDim: 8, layers, initFrom: 'init' } }));
    expect(net.model).toBe('out/model/model.json');
    const report = async (f: string) => {
      const out = path.join(dir, `${f}.json`);
      await cli(['run', path.join(dir, `${f}.yaml`), '--backend', 'cpu', '--json', out, '-q']);
      return fromJson<RunReport>(readFileSync(out, 'utf8'));
    };
    const a = await report('a');
    const b = await report('b');
    expect(a.history.points.length).toBeGreaterThan(20);
    expect(b.history.points.map((p) => p.loss)).toEqual(a.history.points.map((p) => p.loss));
    // And so the equivalent network.layers config agrees with the example too.
    expect(pick(b.firstEvents.inf)).toEqual(pick(example.firstEvents.inf));
    expect(pick(b.firstEvents.explosion)).toEqual(pick(example.firstEvents.explosion));
  }, 120_000);

  it('compare-activations and treat work on a network.model config', async () => {
    const cmpOut = path.join(dir, 'cmp.json');
    const cmp = await cli([
      'compare-activations',
      path.join(dir, 'critic.yaml'),
      '--activations',
      'relu,tanh',
      '--seeds',
      '1',
      '--json',
      cmpOut,
      '-q',
    ]);
    expect(cmp.code, cmp.stderr).toBe(0);
    const rows = fromJson<{ rows: { activation: string; worst: string | null }[] }>(readFileSync(cmpOut, 'utf8')).rows;
    expect(rows.map((r) => r.activation)).toEqual(['relu', 'tanh']);
    expect(rows[0]!.worst).toBe('nan');
    const treatOut = path.join(dir, 'treat.json');
    const treat = await cli([
      'treat',
      path.join(dir, 'critic.yaml'),
      '--remedies',
      'lr-div10',
      '--seed-list',
      '0',
      '--json',
      treatOut,
      '-q',
    ]);
    expect(treat.stderr).toBe('');
    const rep = fromJson<{ rows: { remedy: string; outcome: string }[] }>(readFileSync(treatOut, 'utf8'));
    expect(rep.rows.map((r) => r.remedy)).toEqual(['lr-div10']);
  }, 120_000);

  /** A real tfjs model saved into the folder as model.save('file://…') writes it. */
  const saved = async (m: tf.LayersModel) => {
    const a = await new Promise<tf.io.ModelArtifacts>((resolve) =>
      m.save(
        tf.io.withSaveHandler(async (x) => (resolve(x), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })),
      ),
    );
    return (d: string) => {
      const manifest = [{ paths: ['weights.bin'], weights: a.weightSpecs }];
      writeFileSync(path.join(d, 'model.json'), JSON.stringify({ modelTopology: a.modelTopology, weightsManifest: manifest }));
      writeFileSync(path.join(d, 'weights.bin'), Buffer.from(a.weightData as ArrayBuffer));
    };
  };

  it("a functional model.json with a Dropout and a residual Add reads as the engine's chain (dropout, residual)", async () => {
    const input = tf.input({ shape: [5], name: 'obs' });
    const h = tf.layers.dense({ name: 'h', units: 6, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
    const drop = tf.layers.dropout({ name: 'drop', rate: 0.25 }).apply(h) as tf.SymbolicTensor;
    const f = tf.layers.dense({ name: 'f', units: 6, activation: 'tanh' }).apply(drop) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'sum' }).apply([drop, f]) as tf.SymbolicTensor;
    const v = tf.layers.dense({ name: 'v', units: 1 }).apply(sum) as tf.SymbolicTensor;
    const d = tempDir('cd-tfjs-residual-');
    (await saved(tf.model({ inputs: input, outputs: v })))(d);
    const c = await readSavedCritic(path.join(d, 'model.json'));
    expect(c.layers.map((l) => [l.name, l.activation, l.dropout, l.residual])).toEqual([
      ['h', 'relu', 0.25, undefined],
      ['f', 'tanh', undefined, 'h'],
      ['v', 'linear', undefined, undefined],
    ]);
  });

  describe('bad saved models: exit 2, one message naming the file and the layer, no report', () => {
    const bad = async (edit: (dir: string) => void) => {
      const d = tempDir('cd-badmodel-');
      mkdirSync(path.join(d, 'out/model'), { recursive: true });
      for (const f of ['model.json', 'weights.bin'])
        writeFileSync(path.join(d, 'out/model', f), readFileSync(path.join(dir, 'out/model', f)));
      writeFileSync(path.join(d, 'out/rollout.csv'), readFileSync(path.join(dir, 'out/rollout.csv')));
      writeFileSync(path.join(d, 'critic.yaml'), stringify(modelConfig));
      edit(path.join(d, 'out/model'));
      const r = await cli(['run', path.join(d, 'critic.yaml'), '--json', path.join(d, 'r.json')]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(d)).not.toContain('r.json');
      return r.stderr;
    };
    const topology = (d: string, f: (layers: { class_name: string; config: Record<string, unknown> }[]) => void) => {
      const m = JSON.parse(readFileSync(path.join(d, 'model.json'), 'utf8'));
      f(m.modelTopology.config.layers);
      writeFileSync(path.join(d, 'model.json'), JSON.stringify(m));
    };

    it('an unknown layer type', async () => {
      const err = await bad((d) => topology(d, (ls) => (ls[1]!.class_name = 'Frobnicate')));
      expect(err).toMatch(/model\.json: layer type Frobnicate is not a tfjs layer/);
    });

    it('a layer where the engine has none (an Activation after a Dense layer with its own)', async () => {
      const err = await bad((d) =>
        topology(d, (ls) => {
          ls.splice(1, 0, { class_name: 'Activation', config: { name: 'act', activation: 'tanh', trainable: true } });
        }),
      );
      expect(err).toMatch(/model\.json: layer act: Activation is not supported where it stands: critic-doctor trains a chain of Dense/);
    });

    it('a missing weights file', async () => {
      const err = await bad((d) => rmSync(path.join(d, 'weights.bin')));
      expect(err).toMatch(/weights\.bin: the weights file weights\.bin that model\.json names is missing/);
    });

    it('corrupt JSON', async () => {
      const err = await bad((d) => writeFileSync(path.join(d, 'model.json'), '{"modelTopology": {'));
      expect(err).toMatch(/model\.json: not a tfjs model\.json/);
    });

    it('a Conv2D model', async () => {
      const m = tf.sequential();
      m.add(tf.layers.conv2d({ name: 'conv', filters: 2, kernelSize: 3, inputShape: [8, 8, 1] }));
      m.add(tf.layers.flatten({ name: 'flat' }));
      m.add(tf.layers.dense({ name: 'v', units: 1 }));
      const err = await bad(await saved(m));
      expect(err).toMatch(/model\.json: layer conv: Conv2D is not supported where it stands/);
    });

    it('a last layer of more than one unit (a model saved that way)', async () => {
      const m = tf.sequential();
      m.add(tf.layers.dense({ name: 'h', units: 4, activation: 'relu', inputShape: [8] }));
      m.add(tf.layers.dense({ name: 'q', units: 2 }));
      const err = await bad(await saved(m));
      expect(err).toMatch(/model\.json: layer q: the last layer is the critic's value v\(s\): expected 1 unit, got 2/);
    });
  });
});
