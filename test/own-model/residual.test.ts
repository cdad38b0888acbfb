import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../src/core/run.js';
import { foldDenseBlocks } from '../../src/model/keras-fold.js';
import type { KerasModel } from '../../src/model/keras-model.js';
import { loadConfig } from '../../src/model/load-config-with-model.js';
import { TrainCallback, type StepLogs, type TrainBeginInfo } from '../../src/train/callbacks.js';
import { ROOT } from '../helpers/cli.js';
import { oneBatchConfig } from '../helpers/one-batch-config.js';
import { kerasLayer, kerasModelOf } from '../helpers/keras-layers.js';

// A critic with residual connections as torch.onnx.export wrote it (scripts/write-residual-fixtures.py):
// h3 = fc2(relu(fc1(h1))) + h1, h4 = tanh(fc3(h3)) + h3, with torch's forward, loss and SGD step.
const MODEL = path.join(ROOT, 'fixtures/residual/residual-critic.onnx');
const expected = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/residual/expected.json'), 'utf8')) as {
  obs: number[][];
  loss: number;
  lr: number;
  after: Record<string, number[] | number[][]>;
};

class Params extends TrainCallback {
  after: Map<string, Float32Array> = new Map();
  names: string[] = [];
  override onTrainBegin(info: TrainBeginInfo): void {
    this.names = info.spec.paramNames;
  }
  override onStepEnd(_step: number, logs: StepLogs): void {
    this.names.forEach((n, i) => this.after.set(n, logs.state.params[i]!.dataSync() as Float32Array));
  }
}

function config(): string {
  return oneBatchConfig(MODEL, expected.obs, [`optimizer: { type: sgd, lr: ${expected.lr}, momentum: 0 }`, 'clip: { mode: none }']);
}

describe('residual connections from a file', () => {
  it("torch's ONNX export becomes a chain with residual layers; step-0 loss and torch's SGD step agree", async () => {
    const file = config();
    const loaded = await loadConfig(file);
    expect(loaded.config.network.layers.map((l) => `${l.name} ${l.activation} ${l.residual ?? '-'}`)).toEqual([
      'fc0 relu -',
      'fc1 relu -',
      'fc2 linear fc0',
      'fc3 tanh fc2',
      'out linear -',
    ]);
    const seen = new Params();
    const rep = await runDiagnosis({ loaded, callbacks: [seen], backend: 'wasm' });
    expect(Math.abs((rep.history.points[0]!.loss as number) - expected.loss) / expected.loss).toBeLessThan(1e-5);
    // Each parameter after the step = torch's (its weights [out, in], ours [in, out]), to float32 rounding.
    for (const [name, want] of Object.entries(expected.after)) {
      const [layer, kind] = name.split('.') as [string, string];
      const ours = seen.after.get(`${layer}/${kind === 'weight' ? 'W' : 'b'}`)!;
      const flat =
        kind === 'weight' ? (want as number[][])[0]!.flatMap((_, c) => (want as number[][]).map((row) => row[c]!)) : (want as number[]);
      const scale = Math.max(...flat.map(Math.abs));
      expect(Math.max(...flat.map((w, i) => Math.abs(ours[i]! - w) / scale)), name).toBeLessThan(1e-5);
    }
  });

  it('a Keras Add of two Dense outputs folds into the later Dense; an Add of an input, or of a term read elsewhere, does not', () => {
    const m = (layers: KerasModel['layers']) => kerasModelOf(layers);
    const block = m([
      kerasLayer('InputLayer', 'obs', []),
      kerasLayer('Dense', 'd0', ['obs'], { units: 8, activation: 'relu' }),
      kerasLayer('Dense', 'd1', ['d0'], { units: 8 }),
      kerasLayer('Activation', 'a1', ['d1'], { activation: 'tanh' }),
      kerasLayer('Add', 'sum', ['d0', 'a1']),
      // After a sum, an activation is relu(sum): not the engine's layer (which adds after its nonlinearity).
      kerasLayer('Activation', 'post', ['sum'], { activation: 'relu' }),
      kerasLayer('Dense', 'v', ['post'], { units: 1 }),
    ]);
    const folded = foldDenseBlocks(block).layers;
    expect(folded.map((l) => `${l.name} ${(l.config as { __residual?: string }).__residual ?? '-'}`)).toEqual([
      'obs -',
      'd0 -',
      'd1 d0',
      'post -',
      'v -',
    ]);
    expect(folded.find((l) => l.name === 'post')!.inbound).toEqual(['d1']);
    const ofInput = m([
      kerasLayer('InputLayer', 'obs', []),
      kerasLayer('Dense', 'd0', ['obs'], { units: 3 }),
      kerasLayer('Add', 's', ['obs', 'd0']),
    ]);
    expect(foldDenseBlocks(ofInput)).toBe(ofInput);
    const readTwice = m([
      kerasLayer('InputLayer', 'obs', []),
      kerasLayer('Dense', 'd0', ['obs'], { units: 3 }),
      kerasLayer('Dense', 'd1', ['d0'], { units: 3 }),
      kerasLayer('Add', 's', ['d0', 'd1']),
      kerasLayer('Dense', 'v', ['d1'], { units: 1 }),
    ]);
    expect(foldDenseBlocks(readTwice)).toBe(readTwice);
  });

  it('a Flatten of the [batch, width] vectors is the identity: folded away, an activation after it folds into its Dense', () => {
    const m = kerasModelOf([
      kerasLayer('InputLayer', 'obs', []),
      kerasLayer('Flatten', 'flat', ['obs']),
      kerasLayer('Dense', 'd0', ['flat'], { units: 8 }),
      kerasLayer('Flatten', 'flat2', ['d0']),
      kerasLayer('Activation', 'a0', ['flat2'], { activation: 'elu' }),
      kerasLayer('Dense', 'v', ['a0'], { units: 1 }),
    ]);
    const folded = foldDenseBlocks(m).layers;
    expect(
      folded.map((l) => `${l.name} ${(l.inbound ?? []).join(',')} ${(l.config as { activation?: string }).activation ?? '-'}`),
    ).toEqual(['obs  -', 'd0 obs elu', 'v d0 -']);
  });
});
