import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../src/core/run.js';
import { readNpz } from '../../src/data/recorded/npz.js';
import { loadConfig } from '../../src/model/load-config-with-model.js';
import { TrainCallback, type StepLogs, type TrainBeginInfo } from '../../src/train/callbacks.js';
import { NUM_STATS, S_MAXABS } from '../../src/watch/health-kernel.js';
import type { WatchPoint } from '../../src/watch/watch-points.js';
import { ROOT } from '../helpers/cli.js';
import { worstOf } from '../helpers/torch-fixtures.js';

// Twin Q critics with target networks against PyTorch's own training of the same file on the same
// rows (scripts/write-twin-fixtures.py: SB3 TD3's critic update, Adam, Polyak τ = 0.05).
const DIR = path.join(ROOT, 'fixtures/twin');
const expectedFile = path.join(DIR, 'twin-expected.npz');
const npz = readNpz(readFileSync(expectedFile), expectedFile);
const torch = (key: string) => {
  const r = npz.get(key)!();
  return { values: Float64Array.from(r.values), shape: r.shape };
};

/** Each step's parameters and the target network it bootstrapped from. */
class Steps extends TrainCallback {
  params: Float32Array[][] = [];
  targets: Float32Array[][] = [];
  override onStepEnd(_step: number, logs: StepLogs): void {
    this.params.push(logs.state!.params.map((p) => p.dataSync() as Float32Array));
    this.targets.push((logs.state!.target ?? []).map((p) => p.dataSync() as Float32Array));
  }
}

/** Worst |ours − torch's| over every parameter, ours named `critic.qf1.2/W`, torch's `<prefix>qf1.2.weight`. */
function worst(names: string[], ours: Float32Array[], prefix: string): number {
  return Math.max(
    ...names.map((n, i) => {
      const [layer, kind] = n.replace(/^critic\./, '').split('/') as [string, string];
      return worstOf(ours[i]!, torch(`${prefix}${layer}.${kind === 'W' ? 'weight' : 'bias'}`));
    }),
  );
}

async function run(edit = (t: string) => t): Promise<{ steps: Steps; names: string[] }> {
  const loaded = await loadConfig(path.join(DIR, 'twin-td3.yaml'));
  const config = JSON.parse(edit(JSON.stringify(loaded.config))) as typeof loaded.config;
  const steps = new Steps();
  const rep = await runDiagnosis({ loaded: { ...loaded, config }, callbacks: [steps] });
  expect(rep.status).toBe('completed');
  const names =
    config.network.critics === 2 ? [0, 1].flatMap((h) => [0, 2, 4].flatMap((l) => [`critic.qf${h}.${l}/W`, `critic.qf${h}.${l}/b`])) : [];
  return { steps, names };
}

describe('twin Q critics and target networks train as SB3 trains them', () => {
  it("both heads from critic.qf0/qf1, targets from critic_target.*: every update and every Polyak step are torch's", async () => {
    const { steps, names } = await run();
    expect(steps.params).toHaveLength(3);
    for (let k = 0; k < 3; k++) {
      // Parameters below ~0.5 after Adam steps of 1e-3: a few ulps.
      expect(worst(names, steps.params[k]!, `after${k}.`)).toBeLessThan(2e-7);
      // The target step k bootstrapped from: the file's before any update, then after k Polyak updates.
      if (k > 0) expect(worst(names, steps.targets[k]!, `target${k - 1}.`)).toBeLessThan(2e-7);
    }
  }, 60_000);

  it('the test can fail: without the targets of the file, or without Polyak steps, the updates miss those of torch', async () => {
    // Bootstrapping from the critics themselves (no target network): off from the first update.
    const own = await run((t) => t.replace(',"targetNetwork":{"tau":0.05}', ''));
    expect(worst(own.names, own.steps.params[0]!, 'after0.')).toBeGreaterThan(1e-5);
    // The file's targets, never moved (a hard copy every 1000 steps): right at first, off once torch's have moved.
    const frozen = await run((t) => t.replace('"targetNetwork":{"tau":0.05}', '"targetNetwork":{"updateEvery":1000}'));
    expect(worst(frozen.names, frozen.steps.params[0]!, 'after0.')).toBeLessThan(2e-7);
    expect(worst(frozen.names, frozen.steps.params[2]!, 'after2.')).toBeGreaterThan(1e-6);
  }, 60_000);

  const real = path.join(ROOT, '../shared/real-models/sb3-sac-pendulum-v1.zip');
  it.skipIf(!existsSync(real))(
    "the real SB3 SAC file: each head's first loss, against its targets' minimum, is torch's",
    async () => {
      const expected = JSON.parse(readFileSync(path.join(DIR, 'sb3-sac-expected.json'), 'utf8')) as { losses: number[] };
      const loaded = await loadConfig(path.join(DIR, 'sb3-sac-real.yaml'));
      const seen = new LossesOf();
      await runDiagnosis({ loaded, callbacks: [seen] });
      expected.losses.forEach((l, h) => expect(Math.abs(seen.losses[h]! - l) / l).toBeLessThan(1e-6));
    },
    60_000,
  );
});

/** Each head's loss at the first step, from its watch point (`loss of qf0`, `loss of qf1`). */
class LossesOf extends TrainCallback {
  points: readonly WatchPoint[] = [];
  losses: number[] = [];
  override onTrainBegin(info: TrainBeginInfo): void {
    this.points = info.points;
  }
  override onStepEnd(step: number, logs: StepLogs): void {
    if (step > 0) return;
    this.losses = [0, 1].map((h) => logs.stats[this.points.findIndex((p) => p.tensor === `loss of qf${h}`) * NUM_STATS + S_MAXABS]!);
  }
}
