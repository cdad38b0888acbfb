import { expect, it } from 'vitest';
import { loadConfigFile, validateConfig } from '../../src/config/load-config.js';
import { runDiagnosis } from '../../src/core/run.js';
import { describeEachBackend } from '../helpers/backends.js';
import { seedRaw, tinyConfig } from '../helpers/configs.js';

// Faults planted on purpose; the exact-op analysis must name the arithmetic that made them.
describeEachBackend('exact op', (backend) => {
  it('a zero column of V → g / 0 in the scaler (RealDiv), reproduced bit for bit', async () => {
    const r = await runDiagnosis({
      loaded: validateConfig(seedRaw('relu', { steps: 3 })),
      backend: backend as 'cpu',
      plant: {
        params: (name, values, shape) => {
          if (name !== 'l3_1/V') return;
          for (let i = 0; i < shape[0]!; i++) values[i * shape[1]! + 7] = 0;
          return values;
        },
      },
    });
    const op = r.exactOp!;
    expect(op).toMatchObject({ step: 0, reproduced: true, kernel: 'RealDiv', produced: 'Inf', watchPoint: 'l3_1, forward, scaler' });
    expect(op.arithmetic).toMatch(/^l3_1\/g=1 \/ 0 = Inf$/);
    // The NaN that follows: Inf × 0 in the scale (scaler · x·V).
    expect(op.nanOp?.kernel).toBe('Multiply');
    expect(op.nanOp?.arithmetic).toMatch(/Inf × 0 = NaN|0 × Inf = NaN/);
  });

  it('a NaN target → the minibatch itself (a data fault), in the loss phase', async () => {
    const r = await runDiagnosis({
      loaded: tinyConfig({ steps: 6 }),
      backend: backend as 'cpu',
      plant: { batch: (step, b) => (step === 4 ? ((b.partial[1] = NaN), b) : b) },
    });
    expect(r.exactOp).toMatchObject({ step: 4, kernel: 'minibatch', produced: 'NaN', watchPoint: 'loss, target', reproduced: true });
    expect(r.exactOp!.arithmetic).toBe("the minibatch's targets hold NaN at row 1 (a data fault)");
  });

  it('an Inf gradient → NaN in clip_by_norm: Inf × 5 / Inf', async () => {
    const r = await runDiagnosis({
      loaded: tinyConfig({
        steps: 3,
        batchSize: 2,
        network: {
          inputDim: 4,
          layers: [
            { name: 'l1', units: 4, activation: 'linear', weightNorm: false },
            { name: 'out', units: 1, activation: 'linear', weightNorm: false },
          ],
        },
        data: { source: 'synthetic', transitions: 64, stateScale: 10, targets: 'monteCarlo', gamma: 0.9 },
      }),
      backend: backend as 'cpu',
      plant: { batch: (step, b) => (step === 1 ? ((b.partial[0] = 1.5e38), b) : b) },
    });
    const op = r.exactOp!;
    expect(op.produced).toBe('Inf');
    expect(op.nanOp?.kernel).toBe('RealDiv');
    expect(op.nanOp?.arithmetic).toMatch(/-?Inf \/ Inf = NaN/);
    expect(r.firstEvents.nan?.phase).toBe('clip');
  });
});

it('on the shipped NaN configs the report names the first non-finite op with its inputs', async () => {
  const relu = await runDiagnosis({ loaded: loadConfigFile('configs/nan-sgd-relu.yaml'), backend: 'wasm' });
  expect(relu.exactOp).toMatchObject({ reproduced: true, kernel: 'Square', produced: 'Inf' });
  expect(relu.exactOp!.inputs[0]!.name).toBe('l3/V');
  const norm = await runDiagnosis({ loaded: loadConfigFile('configs/nan-return-norm.yaml'), backend: 'wasm' });
  expect(norm.exactOp).toMatchObject({
    kernel: 'RealDiv',
    produced: 'NaN',
    arithmetic: '0 / 0 = NaN',
    watchPoint: 'loss, normalized target',
  });
});
