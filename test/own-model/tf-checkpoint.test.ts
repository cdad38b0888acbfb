import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { runDiagnosis } from '../../src/core/run.js';
import { loadConfig } from '../../src/model/load-config-with-model.js';
import { readTfCheckpoint } from '../../src/model/tf-checkpoint.js';
import { TrainCallback, type StepLogs } from '../../src/train/callbacks.js';
import { ROOT } from '../helpers/cli.js';
import { tmpFile } from '../helpers/torch-fixtures.js';

const REAL = path.join(ROOT, '../shared/real-models');
const SEED = path.join(ROOT, 'fixtures/tf1-seed');
const shapes = (prefix: string) => new Map(readTfCheckpoint(prefix).map((t) => [t.name, t.shape.join('×')]));

describe.skipIf(!existsSync(REAL))('TensorFlow checkpoints saved by TensorFlow (../shared/real-models)', () => {
  it("TF 1.4 tf.train.Saver: every tensor's crc32c checks, shapes as SOURCES.md gives, Adam's slots beside each", () => {
    const s = shapes(path.join(REAL, 'tf1-ppo-valuefn-critic/critic'));
    expect(s.get('h1/kernel')).toBe('10×100');
    expect(s.get('h2/kernel')).toBe('100×22');
    expect(s.get('h3/kernel')).toBe('22×5');
    expect(s.get('output/kernel')).toBe('5×1');
    expect(s.get('h1/kernel/Adam_1')).toBe('10×100');
    expect(s.has('beta1_power') && s.has('beta2_power')).toBe(true);
  });

  it('TF2 object-based (two shards, the first only the object graph): kernels, m and v slots, optimizer/iter', () => {
    const t = readTfCheckpoint(path.join(REAL, 'tf2-ppo-keras-critic/critic'));
    const s = new Map(t.map((x) => [x.name, x.shape.join('×')]));
    expect(s.get('fc1/kernel/.ATTRIBUTES/VARIABLE_VALUE')).toBe('9×256');
    expect(s.get('fc2/kernel/.ATTRIBUTES/VARIABLE_VALUE')).toBe('256×256');
    expect(s.get('q/kernel/.ATTRIBUTES/VARIABLE_VALUE')).toBe('256×1');
    expect(s.get('fc1/kernel/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE')).toBe('9×256');
    expect(t.find((x) => x.name === 'optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE')!.values).toEqual([3008]);
  });

  it('both run as network.weights, the layers named as the checkpoints name them', async () => {
    for (const [weights, dim, layers] of [
      ['tf1-ppo-valuefn-critic/critic', 10, ['h1 100 tanh', 'h2 22 tanh', 'h3 5 tanh', 'output 1 linear']],
      ['tf2-ppo-keras-critic/critic.index', 9, ['fc1 256 relu', 'fc2 256 relu', 'q 1 linear']],
    ] as const) {
      const yaml = [
        'steps: 3',
        'batchSize: 16',
        `network: { inputDim: ${dim}, weights: ${path.join(REAL, weights)}, layers: [${layers
          .map((l) => l.split(' '))
          .map(([name, units, activation]) => `{ name: ${name}, units: ${units}, activation: ${activation} }`)
          .join(', ')}] }`,
        'optimizer: { type: adam, lr: 0.0001 }',
        'data: { source: synthetic, transitions: 256, targets: monteCarlo }',
      ].join('\n');
      const rep = await runDiagnosis({ loaded: await loadConfig(tmpFile('c.yaml', yaml)) });
      expect(rep.status, weights).toBe('completed');
    }
  }, 60_000);
});

/** The parameters after each step. */
class After extends TrainCallback {
  params: Float32Array[] = [];
  iteration = -1;
  override onStepEnd(_step: number, logs: StepLogs): void {
    this.params = logs.state!.params.map((p) => p.dataSync() as Float32Array);
    this.iteration = logs.state!.iteration;
  }
}

describe("the seed's own format: a TF1 checkpoint of its denseWN critic with RMSProp's slots", () => {
  const expected = JSON.parse(readFileSync(path.join(SEED, 'expected.json'), 'utf8')) as { after: Record<string, number[]>; loss: number };
  const worst = (loaded: Awaited<ReturnType<typeof loadConfig>>, params: Float32Array[]) => {
    const names = loaded.config.network.layers.flatMap((l) => [`${l.name}/V`, `${l.name}/g`, `${l.name}/b`]);
    return Math.max(...names.map((n, i) => Math.max(...expected.after[n]!.map((v, j) => Math.abs(v - params[i]![j]!)))));
  };

  it("the first update from the restored ms slots and step is TF1 RMSProp's, computed from the same slots", async () => {
    const loaded = await loadConfig(path.join(SEED, 'seed-checkpoint.yaml'));
    expect(loaded.config.network.layers.every((l) => l.weightNorm)).toBe(true);
    const after = new After();
    const rep = await runDiagnosis({ loaded, callbacks: [after] });
    expect(Math.abs((rep.history.points[0]!.loss as number) - expected.loss) / expected.loss).toBeLessThan(1e-5);
    expect(after.iteration).toBe(1235); // global_step 1234, then this update
    // Updates of lr·g/√ms against float64 from the same slots: within float32 rounding (measured 1.5e-8).
    expect(worst(loaded, after.params)).toBeLessThan(1e-7);
    // The same run with fresh slots (ms = 1.0, restoreOptimizer: false) misses by far more.
    const fresh = await loadConfig(
      tmpFile(
        'fresh.yaml',
        readFileSync(path.join(SEED, 'seed-checkpoint.yaml'), 'utf8')
          .replace('scope: critic', `scope: critic\n  restoreOptimizer: false`)
          .replace('weights: seed-critic', `weights: ${SEED}/seed-critic`)
          .replace('path: rollout.npz', `path: ${SEED}/rollout.npz`),
      ),
    );
    const freshAfter = new After();
    await runDiagnosis({ loaded: fresh, callbacks: [freshAfter] });
    expect(worst(fresh, freshAfter.params)).toBeGreaterThan(1e-4);
  }, 60_000);

  it('a cut data shard, a damaged byte, a missing shard: exit 2 naming the file and why', () => {
    const index = readFileSync(path.join(SEED, 'seed-critic.index'));
    const data = readFileSync(path.join(SEED, 'seed-critic.data-00000-of-00001'));
    const flipped = Buffer.from(data);
    flipped[100] = flipped[100]! ^ 0x40;
    for (const [shard, why] of [
      [data.subarray(0, 5000), /run past the shard's 5000 bytes/],
      [flipped, /crc32c mismatch/],
      [null, /no such file/],
    ] as const) {
      const prefix = tmpFile('ck.index', index).replace(/\.index$/, '');
      if (shard) tmpFileAt(`${prefix}.data-00000-of-00001`, shard);
      expect(() => readTfCheckpoint(prefix)).toThrow(ConfigError);
      expect(() => readTfCheckpoint(prefix)).toThrow(why);
    }
  });
});

function tmpFileAt(file: string, bytes: Uint8Array): void {
  writeFileSync(file, bytes);
}
