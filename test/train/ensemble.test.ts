import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';
import { runDiagnosis } from '../../src/core/run.js';
import { runDiagnoses } from '../../src/core/run-diagnoses.js';
import { toJson } from '../../src/report/json.js';
import type { RunReport } from '../../src/report/run-report.js';
import { describeEachBackend } from '../helpers/backends.js';
import { seedRaw, tinyRaw } from '../helpers/configs.js';

// Everything but timing: events, history (per-step losses and per-layer statistics), tables, findings.
const stable = (r: RunReport) => toJson({ ...r, timing: null, startedAt: null });
const loaded = (raw: Record<string, unknown>) => validateConfig(raw, '<test>');

describeEachBackend('ensembles', (backend) => {
  const be = backend as 'cpu';

  it('each member of a mixed ensemble reports exactly what its lone run reports', async () => {
    // Different activations, seeds, optimizers, clipping, targets and shapes in one ensemble.
    const members = [
      loaded(seedRaw('relu', { steps: 60 })),
      loaded(seedRaw('tanh', { steps: 60, seed: 4 })),
      loaded(seedRaw('elu', { steps: 45, optimizer: { type: 'adam', lr: 0.01 }, clip: { mode: 'global', norm: 1 } })),
      loaded(tinyRaw({ steps: 50, optimizer: { type: 'sgd', lr: 0.05 }, clip: { mode: 'none' } })),
      loaded(
        tinyRaw({
          steps: 30,
          network: {
            inputDim: 6,
            layers: [
              { name: 'a', units: 7, activation: 'softplus' },
              { name: 'o', units: 1 },
            ],
          },
        }),
      ),
    ];
    const together = await runDiagnoses(members.map((l) => ({ loaded: l, backend: be })));
    for (const [i, l] of members.entries()) {
      const alone = await runDiagnosis({ loaded: l, backend: be });
      expect(stable(together[i]!), `member ${i}`).toBe(stable(alone));
    }
  });

  it('a member that hits NaN is frozen there; the others go on, undisturbed', async () => {
    // Planted on purpose: plain SGD with a huge step size makes the relu member overflow within a few steps.
    const doomed = loaded(
      seedRaw('relu', { steps: 80, optimizer: { type: 'sgd', lr: 50 }, clip: { mode: 'none' }, data: { stateScale: 10 } }),
    );
    const healthy = loaded(seedRaw('tanh', { steps: 80 }));
    const [a, b] = await runDiagnoses([
      { loaded: doomed, backend: be },
      { loaded: healthy, backend: be },
    ]);
    expect(a!.firstEvents.nan).not.toBeNull();
    expect(a!.status).toBe('stopped');
    expect(a!.stepsRun).toBe(a!.firstEvents.nan!.step + 1);
    expect(b!.stepsRun).toBe(80);
    expect(stable(a!)).toBe(stable(await runDiagnosis({ loaded: doomed, backend: be })));
    expect(stable(b!)).toBe(stable(await runDiagnosis({ loaded: healthy, backend: be })));
  });

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    await runDiagnoses([0, 1, 2].map((seed) => ({ loaded: loaded(seedRaw('relu', { steps: 10, seed })), backend: be })));
    expect(tf.memory().numTensors).toBe(before);
  });
});
