import { describe, expect, it } from 'vitest';
import { loadConfigFile, validateConfig } from '../../src/config/load-config.js';
import { lintConfig } from '../../src/diagnose/lint.js';
import { runDiagnosis } from '../../src/core/run.js';
import { seedRaw } from '../helpers/configs.js';

describe('explaining a failure', () => {
  it("a healthy run has no causal chain (the shipped NaN run's chain: test/cli/shipped-configs.test.ts)", async () => {
    const healthy = await runDiagnosis({ loaded: validateConfig(seedRaw('tanh', { steps: 30 })), backend: 'wasm' });
    expect(healthy.causalChain).toBeNull();
  });

  it('lint flags the seed config: Xavier with relu, the L1 not in the loss, γ = 1 bootstrap, state scale — with lines', () => {
    const f = lintConfig(loadConfigFile('configs/seed-critic-relu.yaml'));
    const rules = new Set(f.map((x) => x.rule));
    for (const r of [
      'glorot-with-relu',
      'regularizer-not-in-loss',
      'bootstrap-gamma-1',
      'state-scale',
      'positive-bias-with-relu',
      'per-tensor-clipping',
    ])
      expect(rules, r).toContain(r);
    expect(f.every((x) => typeof x.line === 'number' && x.line > 0)).toBe(true);
    const tanh = new Set(lintConfig(loadConfigFile('configs/seed-critic-tanh.yaml')).map((x) => x.rule));
    expect(tanh.has('glorot-with-relu')).toBe(false);
    const vs = lintConfig(
      validateConfig(
        seedRaw('relu', {
          network: {
            inputDim: 48,
            layers: [
              { name: 'a', units: 8, activation: 'relu', init: { variance_scaling: {} } },
              { name: 'v', units: 1 },
            ],
          },
        }),
      ),
    );
    expect(vs.map((x) => x.rule)).toContain('variance-scaling-is-not-he');
    // bInit (0.1 by default) is the bias of a cleanrl layer, not of a torch_linear one (it draws its own).
    const torchInits = (init: string) =>
      lintConfig(
        validateConfig(
          seedRaw('relu', {
            network: {
              inputDim: 48,
              layers: [
                { name: 'a', units: 8, activation: 'relu', init },
                { name: 'v', units: 1 },
              ],
            },
          }),
        ),
      ).map((x) => x.rule);
    expect(torchInits('cleanrl')).toContain('positive-bias-with-relu');
    expect(torchInits('torch_linear')).not.toContain('positive-bias-with-relu');
    const norm = lintConfig(loadConfigFile('configs/nan-return-norm.yaml'));
    expect(norm.map((x) => x.rule)).toContain('return-norm-no-epsilon');
  });
});
