import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/model/load-config-with-model.js';
import { readStateDict } from '../../src/model/state-dict.js';
import { stateDictCritic } from '../../src/model/state-dict-critic.js';
import { fromJson } from '../../src/report/json.js';
import { createDataStream } from '../../src/data/data-stream.js';
import { buildCriticSpec, initBuffers, initParams } from '../../src/model/critic.js';
import { withStateDict } from '../../src/model/start-from-files.js';
import { createOptimizer } from '../../src/train/optimizers.js';
import { train } from '../../src/train/ensemble.js';
import type { RunReport } from '../../src/report/run-report.js';
import { cli } from '../helpers/cli.js';
import { tmpFile, TORCH_DIR, worstAfter } from '../helpers/torch-fixtures.js';

// state_dict files written by torch.save (scripts/write-torch-fixtures.py, Debian's PyTorch 1.13),
// read by critic-doctor's own restricted pickle reader: nothing in them is run.
const DIR = TORCH_DIR;
const expected = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as {
  batch: { obs: number[][] };
  ppo: number[];
  sb3: number[];
  updates: Record<'adam' | 'rmsprop', { loss: number; after: number[][] }>;
};

/** The PPO critic from its state_dict trained one step on torch's batch with `optimizer`; its parameters after. */
async function firstUpdate(optimizer: string): Promise<number[][]> {
  const file = tmpFile(
    'critic.yaml',
    [
      'batchSize: 16',
      'network:',
      '  inputDim: 8',
      `  weights: ${path.join(DIR, 'ppo-critic.pt')}`,
      '  layers:',
      '    - { name: critic.0, units: 64, activation: tanh }',
      '    - { name: critic.2, units: 64, activation: tanh }',
      '    - { name: critic.4, units: 1 }',
      `optimizer: ${optimizer}`,
      'clip: { mode: none }',
      `data: { source: recorded, path: ${path.join(DIR, 'ppo-rollout.npz')}, targets: precomputed, sampling: sequential,`,
      '        arrays: { returns: returns } }',
    ].join('\n'),
  );
  const { config: c } = await loadConfig(file);
  const spec = buildCriticSpec(c);
  const stream = await createDataStream(c, { baseDir: path.dirname(file) });
  const params = withStateDict(path.join(DIR, 'ppo-critic.pt'), c.network, spec.paramNames, initParams(spec, c.seed));
  const opt = createOptimizer(c.optimizer);
  const r = await train({
    config: c,
    spec,
    stream,
    state: { params, slots: opt.initSlots(params), iteration: 0, buffers: initBuffers(spec) },
    steps: 1,
    callbacks: [],
  });
  const out = r.state.params.map((p) => Array.from(p.dataSync()));
  tf.dispose([...r.state.params, ...r.state.slots.flat(), ...(r.state.buffers ?? [])]);
  return out;
}

/** The tanh-tanh-linear critic's output on torch's batch against torch's, relative to its largest |value|. */
function worstVsTorch(critic: ReturnType<typeof stateDictCritic>, want: number[]): number {
  const v = tf.tidy(() => {
    let h: tf.Tensor = tf.tensor2d(expected.batch.obs);
    critic.layers.forEach((l, i) => {
      h = tf.add(tf.matMul(h, tf.tensor(l.kernel.values, l.kernel.shape)), tf.tensor(l.bias.values, l.bias.shape));
      if (i < 2) h = tf.tanh(h);
    });
    return h.dataSync();
  });
  const scale = Math.max(...want.map(Math.abs));
  return Math.max(...want.map((w, i) => Math.abs(v[i]! - w) / scale));
}

function config(weights: string, names = ['critic.0', 'critic.2', 'critic.4'], units = [64, 64, 1]): string {
  const acts = ['tanh', 'tanh', 'linear'];
  return tmpFile(
    'critic.yaml',
    [
      'steps: 10',
      'batchSize: 16',
      'network:',
      '  inputDim: 8',
      `  weights: ${path.resolve(DIR, weights)}`,
      '  layers:',
      ...names.map((n, i) => `    - { name: ${n}, units: ${units[i]}, activation: ${acts[i]} }`),
      'data: { source: synthetic }',
    ].join('\n'),
  );
}

describe('PyTorch state_dict files as network.weights', () => {
  it('the tensors as torch saved them: names, shapes, and the forward pass is torch’s (by name and by order)', async () => {
    const sd = readStateDict(path.join(DIR, 'ppo-critic.pt'));
    expect(sd.map((t) => `${t.name} [${t.shape}]`)).toEqual([
      'critic.0.weight [64,8]',
      'critic.0.bias [64]',
      'critic.2.weight [64,64]',
      'critic.2.bias [64]',
      'critic.4.weight [1,64]',
      'critic.4.bias [1]',
    ]);
    await tf.setBackend('cpu');
    for (const names of [
      ['critic.0', 'critic.2', 'critic.4'],
      ['l1', 'l2', 'v'],
    ]) {
      const { config: c } = await loadConfig(config('ppo-critic.pt', names));
      expect(c.network.layers.every((l) => !l.weightNorm)).toBe(true);
      expect(worstVsTorch(stateDictCritic(sd, c.network, 'ppo-critic.pt'), expected.ppo)).toBeLessThan(1e-5);
    }
  });

  it("torch.save's legacy format (_use_new_zipfile_serialization=False): the same tensors as the zip", () => {
    const zip = readStateDict(path.join(DIR, 'ppo-critic.pt'));
    const legacy = readStateDict(path.join(DIR, 'ppo-critic-legacy.pt'));
    expect(legacy.map((t) => `${t.name} [${t.shape}]`)).toEqual(zip.map((t) => `${t.name} [${t.shape}]`));
    legacy.forEach((t, i) => expect(Array.from(t.values)).toEqual(Array.from(zip[i]!.values)));
    // Cut inside its storages: refused, naming where.
    const cut = tmpFile('cut.pt', readFileSync(path.join(DIR, 'ppo-critic-legacy.pt')).subarray(0, 5000));
    expect(() => readStateDict(cut)).toThrow(/ends (before|inside) storage/);
  });

  it("a Stable-Baselines3 save (ppo.zip): its policy.pth's value path by name, torch's forward pass", async () => {
    const sd = readStateDict(path.join(DIR, 'sb3-ppo.zip'));
    expect(sd.map((t) => t.name)).toContain('mlp_extractor.value_net.2.weight');
    expect(sd.map((t) => t.name)).toContain('log_std');
    const names = ['mlp_extractor.value_net.0', 'mlp_extractor.value_net.2', 'value_net'];
    const { config: c } = await loadConfig(config('sb3-ppo.zip', names));
    await tf.setBackend('cpu');
    // The policy net's layers (mlp_extractor.policy_net.*, action_net) are there too: by name picks the value path.
    expect(worstVsTorch(stateDictCritic(sd, c.network, 'sb3-ppo.zip'), expected.sb3)).toBeLessThan(1e-5);
  });

  it('run trains from it, the layers named as the config names them', async () => {
    const file = config('ppo-critic.pt');
    const out = path.join(path.dirname(file), 'r.json');
    const r = await cli(['run', file, '--backend', 'cpu', '--json', out]);
    expect(r.code, r.stderr).toBe(0);
    const rep = fromJson<RunReport>(readFileSync(out, 'utf8'));
    expect(rep.stepsRun).toBe(10);
    expect(rep.config!.network.layers.map((l) => l.name)).toEqual(['critic.0', 'critic.2', 'critic.4']);
  }, 60_000);

  for (const [name, optimizer] of [
    ['adam', '{ type: adam, lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 0.001, biasCorrectedEpsilon: true }'],
    ['rmsprop', '{ type: rmsprop, lr: 0.001, decay: 0.99, epsilon: 0.001, rmsInit: 0, epsilonPlacement: outside }'],
  ] as const) {
    const how = name === 'adam' ? 'ε on the bias-corrected √v̂' : 'ε outside the sqrt, mean square from 0';
    it(`PyTorch's ${name} (${how}): the first update is torch's`, async () => {
      tf.env().set('PROD', true);
      await tf.setBackend('cpu');
      const worst = worstAfter(await firstUpdate(optimizer), expected.updates[name].after);
      // Parameters below 1.5 (float32's ulp there 1.2e-7) and each update about lr = 1e-3: 2e-7 is an ulp or two.
      expect(worst).toBeLessThan(2e-7);
    });
  }

  it("TF1 Adam (ε on √v) is not torch Adam: the same config without biasCorrectedEpsilon misses torch's update", async () => {
    await tf.setBackend('cpu');
    const worst = worstAfter(await firstUpdate('{ type: adam, lr: 0.001, epsilon: 0.001 }'), expected.updates.adam.after);
    expect(worst).toBeGreaterThan(1e-5);
  });

  it('a shape that does not fit, a truncated file, a checkpoint dict, a call where a tensor goes: refused, naming why', async () => {
    const refused = async (file: string) => {
      const e = await loadConfig(file).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    };
    expect(await refused(config('ppo-critic.pt', undefined, [32, 64, 1]))).toMatch(
      /critic\.0\.weight is \[64, 8\] \(torch's \[out, in\]\); layer critic\.0 takes 8 inputs to 32 units/,
    );
    const whole = readFileSync(path.join(DIR, 'ppo-critic.pt'));
    const cut = tmpFile('cut.pt', whole.subarray(0, whole.length >> 1));
    expect(await refused(config(cut))).toMatch(/not a torch\.save zip archive/);
    expect(await refused(config('checkpoint.pt'))).toMatch(
      /a checkpoint dict \(keys critic, step\), not a state_dict: save the critic's own, e\.g\. torch\.save\(ckpt\['critic'\]/,
    );
    // A pickle that would call os.system where a tensor goes: the call is a record, named, never made.
    expect(await refused(config('evil.pt'))).toMatch(
      /fc1\.weight is not a tensor: the pickle would call posix\.system there; nothing in the file is run/,
    );
  });

  it("a critic that goes NaN in PyTorch goes NaN here within the replicas' spread of torch's step, in a layer torch names", async () => {
    // The fixture script trained the same file on the same rollout, batches and targets with torch.optim.SGD and recorded its step.
    const { torchNanStep } = JSON.parse(readFileSync(path.join(DIR, 'nan-step.json'), 'utf8')) as { torchNanStep: number };
    const file = tmpFile(
      'nan.yaml',
      [
        'steps: 200',
        'batchSize: 16',
        'network:',
        '  inputDim: 8',
        `  weights: ${path.join(DIR, 'nan-critic.pt')}`,
        '  layers: [{ name: "0", units: 64, activation: relu }, { name: "2", units: 64, activation: relu }, { name: "4", units: 1 }]',
        'optimizer: { type: sgd, lr: 0.001 }',
        'clip: { mode: none }',
        `data: { source: recorded, path: ${path.join(DIR, 'nan-rollout.npz')},`,
        '        targets: nStep, gamma: 1, sampling: sequential }',
      ].join('\n'),
    );
    const out = path.join(path.dirname(file), 'r.json');
    const r = await cli(['run', file, '--replicas', '4', '--json', out]);
    expect(r.code).toBe(1);
    const rep = fromJson<RunReport>(readFileSync(out, 'utf8'));
    const nan = rep.robustness!.kinds.find((k) => k.kind === 'nan')!;
    expect(nan.reached).toBe(4);
    expect(torchNanStep).toBeGreaterThanOrEqual(nan.minStep!);
    expect(torchNanStep).toBeLessThanOrEqual(nan.maxStep!);
    expect(['0', '2', '4']).toContain(rep.firstEvents.nan!.layer);
  }, 60_000);
});
