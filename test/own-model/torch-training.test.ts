import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../src/core/run.js';
import { loadConfig } from '../../src/model/load-config-with-model.js';
import { TrainCallback, type StepLogs } from '../../src/train/callbacks.js';
import { tmpFile, TORCH_DIR, torchArrays, worstAfter, worstOf } from '../helpers/torch-fixtures.js';

// PyTorch's own training of its own files (scripts/write-torch-fixtures.py, Debian's PyTorch 1.13)
// against critic-doctor's `run` on the same files and data: the first-step loss and the parameters
// after the first (or third) update, every value compared.
const torch = torchArrays();
const expected = JSON.parse(readFileSync(path.join(TORCH_DIR, 'expected.json'), 'utf8')) as {
  updates: Record<'adam', { loss: number; after: number[][] }>;
};
const PPO = ['critic.0', 'critic.2', 'critic.4'];
const SAC = ['fc1', 'fc2', 'fc3'];

/** The parameters a run ends with, through a callback. */
class LastParams extends TrainCallback {
  params: Float32Array[] = [];
  override onStepEnd(_step: number, logs: StepLogs): void {
    if (logs.state) this.params = logs.state.params.map((p) => p.dataSync() as Float32Array);
  }
}

async function trained(file: string, steps: number): Promise<{ params: Float32Array[]; losses: number[] }> {
  const loaded = await loadConfig(file);
  const last = new LastParams();
  const rep = await runDiagnosis({ loaded, steps, callbacks: [last] });
  expect(rep.status).toBe('completed');
  return { params: last.params, losses: rep.history.points.map((p) => p.loss as number) };
}

/** A copy of a shipped fixture config with other lines (the optimizer, clipping, loss) in place of its own. */
function variant(base: string, replace: Record<string, string>): string {
  let text = readFileSync(path.join(TORCH_DIR, base), 'utf8').replace(/: (ppo|sac)-(rollout|critic|q)/g, `: ${TORCH_DIR}/$1-$2`);
  for (const [key, line] of Object.entries(replace)) text = text.replace(new RegExp(`^${key}:.*$`, 'm'), line);
  return tmpFile(base, text);
}

/** Worst |ours − torch's| over every parameter of a torch case in torch-updates.npz. */
function worstCase(params: Float32Array[], kase: string, layers: string[]): number {
  return Math.max(
    ...layers.flatMap((l, i) => [
      worstOf(params[2 * i]!, torch(`${kase}.${l}.weight`)),
      worstOf(params[2 * i + 1]!, torch(`${kase}.${l}.bias`)),
    ]),
  );
}

describe('a PyTorch critic trains here as torch.optim trains it', () => {
  for (const format of ['onnx', 'state-dict'] as const) {
    it(`PPO (${format}): run with torch-adam on the recorded rollout, first loss and first update are torch's`, async () => {
      const { params, losses } = await trained(path.join(TORCH_DIR, `ppo-${format}.yaml`), 1);
      expect(Math.abs(losses[0]! - expected.updates.adam.loss) / expected.updates.adam.loss).toBeLessThan(1e-6);
      // Parameters below 1.5 (ulp 1.2e-7), updates of lr = 1e-3: 2e-7 is an ulp or two.
      expect(worstAfter(params, expected.updates.adam.after)).toBeLessThan(2e-7);
    }, 60_000);

    for (const [opt, kase] of [
      ['{ type: torch-adam, lr: 0.001, eps: 0.001 }', 'sac-adam'],
      ['{ type: torch-rmsprop, lr: 0.001, alpha: 0.99, eps: 0.001 }', 'sac-rmsprop'],
    ] as const) {
      it(`SAC Q(s, a) (${format}, ${kase}): the data's actions in, first loss and first update are torch's`, async () => {
        const { params, losses } = await trained(variant(`sac-${format}.yaml`, { optimizer: `optimizer: ${opt}` }), 1);
        const loss = torch(`${kase}.loss`).values[0]!;
        expect(Math.abs(losses[0]! - loss) / loss).toBeLessThan(1e-6);
        expect(worstCase(params, kase, SAC)).toBeLessThan(2e-7);
      }, 60_000);
    }

    it(`SAC (${format}, a graph run): weight decay, AdamW's decoupled and RMSprop's coupled, two updates are torch's`, async () => {
      for (const [opt, kase] of [
        ['{ type: torch-adamw, lr: 0.001, eps: 0.001, weight_decay: 0.1 }', 'sac-adamw'],
        ['{ type: torch-rmsprop, lr: 0.001, alpha: 0.99, eps: 0.001, weight_decay: 0.05 }', 'sac-rmsprop-wd'],
      ] as const) {
        const { params, losses } = await trained(variant(`sac-${format}.yaml`, { optimizer: `optimizer: ${opt}` }), 2);
        const want = torch(`${kase}.loss`).values;
        losses.forEach((l, i) => expect(Math.abs(l - want[i]!) / want[i]!).toBeLessThan(2e-6));
        expect(worstCase(params, kase, SAC)).toBeLessThan(3e-7);
      }
    }, 60_000);
  }

  // Three steps each, so momentum, the square average and the moments carry over.
  for (const [what, lines, kase, bound] of [
    [
      'torch-adamw (decoupled weight decay 0.1)',
      { optimizer: 'optimizer: { type: torch-adamw, lr: 0.001, eps: 0.001, weight_decay: 0.1 }' },
      'ppo-adamw',
      3e-7,
    ],
    [
      'torch-adam with weight decay 0.01 and clip_grad_norm_(0.5)',
      {
        optimizer: 'optimizer: { type: torch-adam, lr: 0.001, eps: 0.001, weight_decay: 0.01 }',
        clip: 'clip: { mode: global, norm: 0.5 }',
      },
      'ppo-adam-wd-clip',
      3e-7,
    ],
    [
      'torch-sgd (momentum 0.9, weight decay 0.01)',
      { optimizer: 'optimizer: { type: torch-sgd, lr: 0.01, momentum: 0.9, weight_decay: 0.01 }' },
      'ppo-sgd',
      3e-7,
    ],
    [
      'torch-rmsprop (alpha 0.9, momentum 0.5, weight decay 0.01)',
      { optimizer: 'optimizer: { type: torch-rmsprop, lr: 0.001, alpha: 0.9, eps: 0.001, weight_decay: 0.01, momentum: 0.5 }' },
      'ppo-rmsprop',
      3e-7,
    ],
    ['smooth_l1 with β 0.5', { clip: 'clip: { mode: none }\nloss: smooth_l1\nsmoothL1Beta: 0.5' }, 'ppo-smoothl1', 3e-7],
  ] as const) {
    it(`${what}: three updates are torch's`, async () => {
      const { params, losses } = await trained(variant('ppo-state-dict.yaml', lines), 3);
      const want = torch(`${kase}.loss`).values;
      losses.forEach((l, i) => expect(Math.abs(l - want[i]!) / want[i]!).toBeLessThan(2e-6));
      expect(worstCase(params, kase, PPO)).toBeLessThan(bound);
    }, 60_000);
  }

  it("the presets' own rules matter: AdamW's decay coupled instead, or mse for smooth_l1, misses torch", async () => {
    const coupled = await trained(
      variant('ppo-state-dict.yaml', { optimizer: 'optimizer: { type: torch-adam, lr: 0.001, eps: 0.001, weight_decay: 0.1 }' }),
      3,
    );
    expect(worstCase(coupled.params, 'ppo-adamw', PPO)).toBeGreaterThan(1e-5);
    const mse = await trained(variant('ppo-state-dict.yaml', {}), 3);
    expect(worstCase(mse.params, 'ppo-smoothl1', PPO)).toBeGreaterThan(1e-5);
  }, 60_000);

  it('a preset is a spelling: the resolved config shows the rules it stands for', async () => {
    const { config } = await loadConfig(variant('ppo-state-dict.yaml', { optimizer: 'optimizer: { type: torch-adamw }' }));
    expect(config.optimizer).toEqual({
      type: 'adam',
      lr: 0.001,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      biasCorrectedEpsilon: true,
      weightDecay: 0.01,
      decoupledWeightDecay: true,
    });
    const rms = await loadConfig(variant('ppo-state-dict.yaml', { optimizer: 'optimizer: { type: torch-rmsprop }' }));
    expect(rms.config.optimizer).toMatchObject({
      type: 'rmsprop',
      lr: 0.01,
      decay: 0.99,
      epsilon: 1e-8,
      rmsInit: 0,
      epsilonPlacement: 'outside',
    });
    const e = await loadConfig(variant('ppo-state-dict.yaml', { optimizer: 'optimizer: { type: torch-sgd, nesterov: true }' })).catch(
      (x: unknown) => x,
    );
    expect(String(e)).toMatch(/nesterov/);
  });
});
