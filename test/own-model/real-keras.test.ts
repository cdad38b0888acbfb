import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../src/core/run.js';
import { loadConfig } from '../../src/model/load-config-with-model.js';
import { kerasOptimizerState, kerasSettings } from '../../src/model/keras-training.js';
import { readKerasModel } from '../../src/model/saved-model.js';
import { ROOT } from '../helpers/cli.js';

// Files saved by Keras 3 itself (../shared/real-models, SOURCES.md), never copied here: the numbers
// they must give come from scripts/write-real-keras-expected.py (h5py + numpy on the same files).
const REAL = path.join(ROOT, '../shared/real-models');
const DIR = path.join(ROOT, 'fixtures/keras-real');
const expected = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as Record<string, { loss: number }>;
const here = existsSync(path.join(REAL, 'churn-ann.keras'));

describe.skipIf(!here)('real Keras 3 files', () => {
  for (const [file, config] of [
    ['churn-ann.keras', 'churn-keras.yaml'],
    ['churn-ann.h5', 'churn-h5.yaml'],
  ] as const) {
    it(`${file}: its weights found where Keras 3 put them; the step-0 loss is numpy's forward of them`, async () => {
      const loaded = await loadConfig(path.join(DIR, config));
      expect(loaded.config.network.layers.map((l) => `${l.name} ${l.units} ${l.activation}`)).toEqual([
        'dense_6 64 relu',
        'dense_7 32 relu',
        'dense_8 1 sigmoid',
      ]);
      const rep = await runDiagnosis({ loaded });
      expect(rep.status).toBe('completed');
      const loss = rep.history.points[0]!.loss as number;
      expect(Math.abs(loss - expected[file]!.loss) / expected[file]!.loss).toBeLessThan(1e-5);
    }, 60_000);
  }

  it("churn-ann.keras's Adam slots: momentum and velocity interleaved per variable, every velocity ≥ 0", async () => {
    const m = (await readKerasModel(path.join(REAL, 'churn-ann.keras')))!;
    const s = kerasSettings(m, { optimizer: true, loss: false });
    const params = ['dense_6', 'dense_7', 'dense_8'].flatMap((l, i) => [
      {
        name: `${l}/W`,
        shape: [
          [12, 64],
          [64, 32],
          [32, 1],
        ][i]!,
      },
      { name: `${l}/b`, shape: [[64], [32], [1]][i]! },
    ]);
    const state = kerasOptimizerState(m, s, params, { type: 'adam', lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as never)!;
    expect(state.iteration).toBe(4250);
    // A velocity is a running mean of squares: read as blocks (momentums first), half the "velocities" are momentums, some < 0.
    for (const p of params) expect(Math.min(...state.slots.get(p.name)!.get('v')!)).toBeGreaterThanOrEqual(0);
    expect(params.some((p) => Math.min(...state.slots.get(p.name)!.get('m')!) < 0)).toBe(true);
  });
});
