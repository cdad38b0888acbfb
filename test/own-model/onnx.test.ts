import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/model/load-config-with-model.js';
import { runDiagnosis } from '../../src/core/run.js';
import { readKerasModel, readSavedCritic } from '../../src/model/saved-model.js';
import { kerasDenseChain, qInputConcat } from '../../src/model/keras-chain.js';
import { buildCriticSpec, initParams } from '../../src/model/critic.js';
import { withSavedWeights } from '../../src/model/start-from-files.js';
import { criticForward } from '../../src/engine/critic-forward.js';
import { fromJson } from '../../src/report/json.js';
import type { RunReport } from '../../src/report/run-report.js';
import { cli, ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { oneBatchConfig } from '../helpers/one-batch-config.js';

// PyTorch critics exported by PyTorch itself (scripts/write-torch-fixtures.py, Debian's
// python3-torch 1.13): a CleanRL PPO critic and a SAC Q critic; torch's forward output beside them.
const DIR = path.join(ROOT, 'fixtures/torch');
const expected = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as {
  batch: { obs: number[][]; act: number[][] };
  ppo: number[];
  sac: number[];
  ln: number[];
};

/** Worst |ours − torch's| relative to torch's largest |value|. */
function worst(got: ArrayLike<number>, want: number[]): number {
  const scale = Math.max(...want.map(Math.abs));
  return Math.max(...want.map((w, i) => Math.abs(got[i]! - w) / scale));
}

function config(model: string, network = ''): string {
  const dir = tempDir('cd-onnx-');
  const file = path.join(dir, 'critic.yaml');
  writeFileSync(
    file,
    ['steps: 10', 'batchSize: 16', `network: { model: ${path.resolve(DIR, model)}${network} }`, 'data: { source: synthetic }'].join('\n'),
  );
  return file;
}

describe('ONNX exports of PyTorch critics as network.model', () => {
  it("the PPO critic is a Dense chain named as PyTorch names it, and its forward pass is torch's", async () => {
    await tf.setBackend('cpu');
    const c = await readSavedCritic(path.join(DIR, 'ppo-critic.onnx'));
    expect(c.layers.map((l) => [l.name, l.units, l.activation])).toEqual([
      ['critic.0', 64, 'tanh'],
      ['critic.2', 64, 'tanh'],
      ['critic.4', 1, 'linear'],
    ]);
    const v = tf.tidy(() => {
      let h: tf.Tensor = tf.tensor2d(expected.batch.obs);
      c.layers.forEach((l, i) => {
        h = tf.add(tf.matMul(h, tf.tensor(l.kernel.values, l.kernel.shape)), tf.tensor(l.bias.values, l.bias.shape));
        if (i < c.layers.length - 1) h = tf.tanh(h);
      });
      return h.dataSync();
    });
    expect(worst(v, expected.ppo)).toBeLessThan(1e-5);
  });

  it("the SAC Q critic (Concat of obs and act) is a chain fed cat([obs, act]): its forward pass on the engine is torch's", async () => {
    await tf.setBackend('cpu');
    const m = (await readKerasModel(path.join(DIR, 'sac-q.onnx')))!;
    expect(m.layers.map((l) => `${l.className} ${l.name}`)).toEqual([
      'InputLayer obs',
      'InputLayer act',
      'Concatenate Concat',
      'Dense fc1',
      'Dense fc2',
      'Dense fc3',
    ]);
    const { config: c } = await loadConfig(config('sac-q.onnx', ', inputs: { state: obs, action: act }'));
    const spec = buildCriticSpec(c);
    const params = await withSavedWeights(path.join(DIR, 'sac-q.onnx'), spec.paramNames, initParams(spec, 0), 'act');
    const rows = expected.batch.obs.map((o, i) => [...o, ...expected.batch.act[i]!]);
    const q = tf.tidy(() => criticForward(spec, params, tf.tensor2d(rows)).at(-1)!.act.dataSync());
    tf.dispose(params);
    expect(worst(q, expected.sac)).toBeLessThan(1e-5);
  });

  it('a Q critic that concatenates the action first is fed [state, action]: the rows of its first kernel rearranged', async () => {
    const m = (await readKerasModel(path.join(DIR, 'sac-q.onnx')))!;
    const asIs = kerasDenseChain(m, 'act');
    expect(qInputConcat(m)).toEqual({ concat: 'Concat', order: ['obs', 'act'], widths: [8, 2] });
    expect(asIs.inputDim).toBe(8);
    // The same critic written as cat(act, obs): rows 0–1 the action's, 2–9 the state's.
    const k = m.weights.get('fc1')![0]!;
    const units = k.shape[1]!;
    const swapped = new Float32Array(k.values.length);
    swapped.set(k.values.subarray(8 * units), 0);
    swapped.set(k.values.subarray(0, 8 * units), 2 * units);
    const layers = m.layers.map((l) => (l.name === 'Concat' ? { ...l, inbound: ['act', 'obs'] } : l));
    const weights = new Map(m.weights);
    weights.set('fc1', [{ ...k, values: swapped }, ...m.weights.get('fc1')!.slice(1)]);
    const back = kerasDenseChain({ ...m, layers, weights }, 'act');
    expect(back.inputDim).toBe(8);
    expect(Array.from(back.layers[0]!.kernel.values)).toEqual(Array.from(asIs.layers[0]!.kernel.values));
    expect(Array.from(kerasDenseChain({ ...m, layers, weights }, 'obs').layers[0]!.kernel.values)).toEqual(Array.from(swapped));
  });

  for (const file of ['ln-critic.onnx', 'ln-critic-op13.onnx'] as const) {
    const how = file === 'ln-critic.onnx' ? "opset 17's LayerNormalization" : 'the ReduceMean … Div, Mul, Add pattern of opset 13';
    it(`nn.LayerNorm exported as ${how}: one LayerNormalization with torch's γ, β and ε, torch's forward pass on the engine`, async () => {
      await tf.setBackend('cpu');
      const m = (await readKerasModel(path.join(DIR, file)))!;
      expect(m.layers.map((l) => `${l.className} ${l.name}`)).toEqual([
        'InputLayer obs',
        'Dense fc1',
        'LayerNormalization ln',
        'Activation ln.tanh',
        'Dense fc2',
      ]);
      expect(m.layers[2]!.config.epsilon).toBeCloseTo(1e-5, 12);
      // Folded into a chain (engine/norm-layer.ts's layer norm between x·W + b and tanh), forward on the critic engine.
      const { config: c } = await loadConfig(config(file));
      const spec = buildCriticSpec(c);
      const params = await withSavedWeights(path.join(DIR, file), spec.paramNames, initParams(spec, 0));
      const v = tf.tidy(() => criticForward(spec, params, tf.tensor2d(expected.batch.obs)).at(-1)!.act.dataSync());
      tf.dispose(params);
      // The γ and β the fixture drew (U(0.5, 1.5), U(−0.2, 0.2)): wrong or missing ones are far off.
      expect(worst(v, expected.ln)).toBeLessThan(1e-5);
    });
  }

  it("Linear → LayerNorm → Tanh runs on the critic engine: layer norm with torch's ε, step-0 loss from torch's forward", async () => {
    // torch's batch as recorded data with 0 returns: the first loss is mean(v²) of torch's own v.
    for (const file of ['ln-critic.onnx', 'ln-critic-op13.onnx']) {
      const yaml = oneBatchConfig(path.join(DIR, file), expected.batch.obs);
      const { config: c } = await loadConfig(yaml);
      expect(c.network.layers.map((l) => `${l.name} ${l.activation} ${l.norm}`)).toEqual(['fc1 tanh layer', 'fc2 linear none']);
      expect(c.network.layers[0]!.normEpsilon).toBeCloseTo(1e-5, 12);
      const rep = await runDiagnosis({ loaded: await loadConfig(yaml), backend: 'cpu' });
      const want = expected.ln.reduce((s, v) => s + v * v, 0) / expected.ln.length;
      expect(Math.abs((rep.history.points[0]!.loss as number) - want) / want, file).toBeLessThan(1e-5);
    }
  });

  it('run trains both: the report names the layers as PyTorch does', async () => {
    for (const [model, network, layers] of [
      ['ppo-critic.onnx', '', ['critic.0', 'critic.2', 'critic.4']],
      // cat(obs, act) then Linear layers: a chain on the critic engine, fed cat([state, action], 1).
      ['sac-q.onnx', ', inputs: { state: obs, action: act }', ['fc1', 'fc2', 'fc3']],
    ] as const) {
      const file = config(model, network);
      const out = path.join(path.dirname(file), 'r.json');
      const r = await cli(['run', file, '--backend', 'cpu', '--json', out]);
      expect(r.code, r.stderr).toBe(0);
      const rep = fromJson<RunReport>(readFileSync(out, 'utf8'));
      expect(rep.stepsRun).toBe(10);
      expect(rep.history.points[0]!.layers.map((l) => l.layer)).toEqual(layers);
    }
  }, 60_000);

  it('an op critic-doctor does not translate, or a truncated file: refused naming the node or the file', async () => {
    const e = await loadConfig(config('bad-op.onnx')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toMatch(/node \/Sin \(Sin\): op Sin is not supported/);
    const dynamic = await loadConfig(config('dynamic-width.onnx')).catch((x: unknown) => x);
    expect(String(dynamic)).toMatch(/input obs: shape \["batch","features"\] has no known width/);
    const cut = path.join(tempDir('cd-onnx-'), 'cut.onnx');
    const whole = readFileSync(path.join(DIR, 'ppo-critic.onnx'));
    writeFileSync(cut, whole.subarray(0, whole.length >> 1));
    const out = path.join(path.dirname(cut), 'r.json');
    const r = await cli(['run', config(cut), '--json', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cut\.onnx.*not a readable ONNX model/);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('compare-activations and treat run on the ONNX PPO critic (on the critic engine: a chain)', async () => {
    const file = config('ppo-critic.onnx');
    const dir = path.dirname(file);
    const c = await cli(['compare-activations', file, '--seeds', '1', '--backend', 'cpu', '--json', path.join(dir, 'c.json')]);
    expect([0, 1], c.stderr).toContain(c.code);
    const cmp = JSON.parse(readFileSync(path.join(dir, 'c.json'), 'utf8')) as { rows: { activation: string }[]; layers: string[] };
    expect(cmp.layers).toEqual(['critic.0', 'critic.2']);
    expect(cmp.rows.map((r) => r.activation)).toEqual(['relu', 'elu', 'tanh']);
    const t = await cli(['treat', file, '--seeds', '1', '--backend', 'cpu', '--json', path.join(dir, 't.json')]);
    expect(t.code, t.stderr).toBe(0);
    const rep = JSON.parse(readFileSync(path.join(dir, 't.json'), 'utf8')) as { baseline: { runs: number }; verdict: string };
    expect(rep.baseline.runs).toBe(1);
    expect(rep.verdict).toMatch(/does not fail|Best cure|cured/);
  }, 60_000);
});
