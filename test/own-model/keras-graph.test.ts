import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../src/core/run.js';
import { loadConfig } from '../../src/model/load-config-with-model.js';
import { loadRecorded } from '../../src/data/recorded/load-recorded.js';
import { RecordedData } from '../../src/config/schema.js';
import { fromJson } from '../../src/report/json.js';
import type { RunReport } from '../../src/report/run-report.js';
import { cli, ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

// A TD3-style Q(s, a) critic (obs 9 → Dense 400 relu → concatenate(act 1) → Dense 300 relu → 1)
// as Keras 2 and Keras 3 write it, on a D4RL-layout rollout with actions
// (scripts/write-keras-fixtures.py; the expected numbers are numpy's from the weights it wrote).
const DIR = path.join(ROOT, 'fixtures/keras');
const expected = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as {
  qFirstBatch: { rows: number; values: number[]; loss: number };
};

function config(
  model: string,
  data: string,
  extra: string[] = [],
  inputs = ', inputs: { state: obs, action: act }',
  steps = 3,
  dataFile = 'd4rl-q.hdf5',
): string {
  const dir = tempDir('cd-keras-graph-');
  const file = path.join(dir, 'q.yaml');
  writeFileSync(
    file,
    [
      `steps: ${steps}`,
      `batchSize: ${expected.qFirstBatch.rows}`,
      `network: { model: ${path.join(DIR, model)}${inputs} }`,
      `data: { source: recorded, path: ${path.resolve(DIR, dataFile)}, ${data} }`,
      ...extra,
    ].join('\n'),
  );
  return file;
}

async function run(file: string, args: string[] = []): Promise<{ code: number; stderr: string; stdout: string; report?: RunReport }> {
  const out = path.join(path.dirname(file), 'r.json');
  const r = await cli(['run', file, '--backend', 'cpu', '--json', out, ...args]);
  return { ...r, report: existsSync(out) ? fromJson<RunReport>(readFileSync(out, 'utf8')) : undefined };
}

const PRECOMPUTED = 'targets: precomputed, sampling: sequential, arrays: { returns: returns }';

describe('a Keras functional Q(s, a) critic, its action joining the second layer, trains on the critic engine', () => {
  for (const model of ['q-critic-keras2.h5', 'q-critic-keras3.keras', 'q-critic-keras36.h5']) {
    it(`${model}: run trains it on the D4RL file's actions; the first step's loss is numpy's`, async () => {
      const r = await run(config(model, PRECOMPUTED));
      expect(r.code, r.stderr).toBe(0);
      const rep = r.report!;
      expect(rep.stepsRun).toBe(3);
      // The action joins at l2 (network.actionAt): a chain on the critic engine, no tfjs graph.
      expect(rep.graph).toBeUndefined();
      expect(rep.config!.network).toMatchObject({ inputDim: 9, actionDim: 1, actionAt: 'l2', inputs: { state: 'obs', action: 'act' } });
      expect(rep.data).toContain('actions 1 wide');
      expect(r.stdout).toContain('critic Q(s, a) (state obs, action act): 9 → l1 400 relu → (+ action 1) l2 300 relu → q 1 linear');
      const first = rep.history.points[0]!;
      expect(Math.abs(first.loss - expected.qFirstBatch.loss) / expected.qFirstBatch.loss).toBeLessThan(1e-5);
      expect(first.layers.map((l) => l.layer)).toEqual(['l1', 'l2', 'q']);
      // Keras 3's compile_config gives the optimizer and loss (the Keras 2 file was not compiled: the config's defaults).
      if (model.endsWith('.keras'))
        expect(rep.settingsFrom).toEqual([
          "optimizer Adam lr 0.0003 β1 0.9 β2 0.999 ε 1e-7 (from q-critic-keras3.keras's compile_config, no optimizer state stored)",
          "clip none (from q-critic-keras3.keras's compile_config)",
          "loss mse (from q-critic-keras3.keras's compile_config)",
        ]);
      else expect(rep.settingsFrom).toBeUndefined();
    }, 60_000);
  }

  for (const targets of ['targets: monteCarlo', 'targets: nStep, nStep: 3']) {
    it(`${targets}: trains, bootstrapping from Q(s', a') with the data's next action`, async () => {
      const r = await run(config('q-small-keras2.h5', targets, ['optimizer: { type: adam, lr: 0.0003 }'], undefined, 12));
      expect(r.code, r.stderr).toBe(0);
      expect(r.report!.stepsRun).toBe(12);
      expect(r.report!.data).toMatch(targets.includes('nStep') ? /bootstrapped 3-step targets/ : /Monte-Carlo returns/);
      expect(r.report!.data).toContain('truncated (not bootstrapped: no action follows them)');
      expect(r.report!.history.points.every((p) => Number.isFinite(p.loss))).toBe(true);
    }, 60_000);
  }

  it("CSV (data.columns.actions) and Minari episodes give the same actions: the first step's loss is numpy's; Minari trains", async () => {
    const csvData = 'targets: precomputed, sampling: sequential, columns: { actions: act_*, return: return }';
    const csv = await run(config('q-critic-keras2.h5', csvData, [], undefined, 1, 'q-rollout.csv'));
    expect(csv.code, csv.stderr).toBe(0);
    expect(Math.abs(csv.report!.history.points[0]!.loss - expected.qFirstBatch.loss) / expected.qFirstBatch.loss).toBeLessThan(1e-5);
    const minari = await run(config('q-small-keras2.h5', 'targets: nStep', [], undefined, 12, 'minari-q.h5'));
    expect(minari.code, minari.stderr).toBe(0);
    expect(minari.report!.data).toMatch(/minari .*actions 1 wide/);
  }, 60_000);

  it('JSONL (an action field) and LeRobot Parquet (its action column) give a Q critic its actions', async () => {
    // The CSV rollout as JSONL: {obs: [...], action: [a], reward, done, return} per line.
    const [head, ...lines] = readFileSync(path.join(DIR, 'q-rollout.csv'), 'utf8').trim().split('\n');
    const names = head!.split(',');
    const dir = tempDir('cd-keras-graph-');
    const jsonl = path.join(dir, 'q.jsonl');
    writeFileSync(
      jsonl,
      lines
        .map((l) => {
          const v = l.split(',').map(Number);
          const at = (n: string) => v[names.indexOf(n)]!;
          return JSON.stringify({
            obs: v.slice(0, 9),
            action: [at('act_0')],
            reward: at('reward'),
            done: at('done'),
            return: at('return'),
          });
        })
        .join('\n'),
    );
    const j = await run(
      config('q-critic-keras2.h5', 'targets: precomputed, sampling: sequential, columns: { return: return }', [], undefined, 1, jsonl),
    );
    expect(j.code, j.stderr).toBe(0);
    expect(Math.abs(j.report!.history.points[0]!.loss - expected.qFirstBatch.loss) / expected.qFirstBatch.loss).toBeLessThan(1e-5);
    const lerobot = path.join(ROOT, 'fixtures/datasets/cartpole-lerobot.parquet');
    const p = await run(config('q-cartpole-keras2.h5', 'targets: nStep', [], undefined, 12, lerobot));
    expect(p.code, p.stderr).toBe(0);
    expect(p.report!.data).toMatch(/cartpole-lerobot\.parquet: .*actions 1 wide/);
  }, 60_000);

  it('a NaN planted in the actions of one row is found in the action input at the step that first uses that row', async () => {
    const file = config(
      'q-small-keras2.h5',
      'targets: nStep, sampling: shuffled',
      ['optimizer: { type: adam, lr: 0.0003 }'],
      undefined,
      40,
    );
    const loaded = await loadConfig(file);
    const ROW = 123;
    let firstUse: { step: number; at: number } | null = null;
    const report = await runDiagnosis({
      loaded,
      backend: 'cpu',
      plant: {
        batch: (step, b) => {
          const at = Array.from(b.indices).indexOf(ROW);
          if (at < 0) return;
          firstUse ??= { step, at };
          b.actions![at * b.actionDim!] = NaN;
        },
      },
    });
    expect(firstUse).not.toBeNull();
    const nan = report.firstEvents.nan!;
    // On the critic engine the first point to see it is the layer the action joins; the exact op names the data.
    expect(nan).toMatchObject({ step: firstUse!.step, phase: 'forward', layer: 'l2', tensor: 'x·W' });
    expect(report.exactOp).toMatchObject({
      step: firstUse!.step,
      kernel: 'minibatch',
      arithmetic: `the minibatch's actions hold NaN at row ${firstUse!.at} (a data fault)`,
    });
  }, 60_000);

  it('two inputs and no network.inputs: exit 2 saying which names to map, no report', async () => {
    const r = await run(config('q-small-keras2.h5', PRECOMPUTED, [], ''));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('the model has two inputs (obs, act): say which is which, network.inputs: { state: obs, action: act }');
    expect(r.report).toBeUndefined();
  }, 60_000);

  it('an action input and data without actions, or actions of another width: exit 2 naming both', async () => {
    const dir = tempDir('cd-keras-graph-');
    const file = path.join(dir, 'q.yaml');
    writeFileSync(
      file,
      [
        `network: { model: ${path.join(DIR, 'q-small-keras2.h5')}, inputs: { state: obs, action: act } }`,
        `data: { source: recorded, path: ${path.join(DIR, 'd4rl-q.hdf5')}, layout: arrays,`,
        '        arrays: { states: observations, rewards: rewards, dones: terminals } }',
      ].join('\n'),
    );
    const r = await run(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/d4rl-q\.hdf5.*the critic is Q\(s, a\) \(an action input 1 wide\) but the file has no actions/);
    const cfg = RecordedData.parse({ source: 'recorded', path: path.join(DIR, 'd4rl-q.hdf5') });
    await expect(loadRecorded(cfg, DIR, 9, 'error', 2)).rejects.toThrow(
      "actions have 1 dimensions, but the model's action input (network.actionDim) takes 2",
    );
  }, 60_000);

  it("compare-activations swaps the Dense layers' activations; treat tries every remedy, init ones on fresh weights", async () => {
    const file = config(
      'q-small-keras2.h5',
      'targets: nStep, gamma: 1.0, rewardScale: 100',
      ['optimizer: { type: sgd, lr: 0.05 }', 'clip: { mode: none }'],
      undefined,
      30,
    );
    const out = path.join(path.dirname(file), 'c.json');
    const c = await cli(['compare-activations', file, '--seeds', '1', '--backend', 'cpu', '--json', out]);
    expect([0, 1], c.stderr).toContain(c.code);
    const cmp = JSON.parse(readFileSync(out, 'utf8')) as { rows: { activation: string; runs: number }[]; layers: string[] };
    expect(cmp.layers).toEqual(['l1', 'l2']);
    expect(cmp.rows.map((r) => r.activation)).toEqual(['relu', 'elu', 'tanh']);
    const tj = path.join(path.dirname(file), 't.json');
    const t = await cli(['treat', file, '--seeds', '1', '--backend', 'cpu', '--json', tj]);
    expect([0, 1], t.stderr).toContain(t.code);
    const rep = JSON.parse(readFileSync(tj, 'utf8')) as {
      baseline: { failed: number };
      rows: { remedy: string }[];
    };
    expect(rep.baseline.failed).toBe(1);
    const tried = rep.rows.map((r) => r.remedy);
    const everything = ['huber', 'global-clip', 'adam', 'lr-div10', 'he-init', 'batch-norm', 'target-network'];
    expect(tried).toEqual(expect.arrayContaining(everything));
  }, 120_000);
});
