import { describe, expect, it } from 'vitest';
import type { CellResult } from '../../src/diagnose/cell-result.js';
import { summarizeCells } from '../../src/diagnose/compare-summary.js';
import type { LintFinding } from '../../src/diagnose/lint.js';
import { combineRemedies, getRemedy } from '../../src/diagnose/remedies.js';
import {
  bestCure,
  classifyRemedy,
  rankRows,
  runOutcome,
  type RemedyEvidence,
  type RemedyRow,
  type RunOutcome,
} from '../../src/diagnose/remedy-outcome.js';
import { diagnoseCauses, eventCause } from '../../src/diagnose/treat-causes.js';
import { verdictText } from '../../src/diagnose/treat-verdict.js';
import type { FirstEvent } from '../../src/watch/events.js';
import { tinyConfig } from '../helpers/configs.js';

/*
 * treat's decisions on synthetic run outcomes: every outcome the table can show, the loss
 * comparisons, the order, the causes. No training: these are pure functions of the evidence.
 */

const remedy = (name: string, over: Partial<RemedyEvidence['remedy']> = {}): RemedyEvidence['remedy'] => ({
  name,
  description: `${name} does something`,
  addresses: ['init'],
  ...over,
});
const healthy = (finalLoss = 1): RunOutcome => ({ failed: false, failStep: null, finalLoss, stepsPerSecond: 100 });
const failing = (failStep: number): RunOutcome => ({ failed: true, failStep, finalLoss: NaN, stepsPerSecond: 50 });
const evidence = (runs: RunOutcome[], over: Partial<RemedyEvidence> = {}): RemedyEvidence => ({
  remedy: remedy('r'),
  runs,
  baselineFailStep: 100,
  referenceLoss: 2,
  causes: new Set(['init']),
  ...over,
});

describe('classifyRemedy', () => {
  it('cured: every run healthy; the loss against the reference; relevance counts the diagnosed causes it addresses', () => {
    const row = classifyRemedy(
      evidence([healthy(1), healthy(3)], {
        remedy: remedy('he-init', { addresses: ['init', 'scale', 'data'] }),
        causes: new Set(['init', 'data']),
      }),
    );
    expect(row).toMatchObject({ remedy: 'he-init', outcome: 'cured', cured: 2, runs: 2, failStep: null, finalLoss: 2, lossVsReference: 1 });
    expect(row).toMatchObject({ farWorseLoss: false, rescalesTargets: false, stepsPerSecond: 100, relevance: 2 });
  });

  it("partly: some runs cured; the loss is the cured runs' mean, the fail step the failing runs' median", () => {
    const row = classifyRemedy(evidence([healthy(4), failing(120), failing(180), healthy(2)]));
    expect(row).toMatchObject({ outcome: 'partly', cured: 2, runs: 4, failStep: 150, finalLoss: 3, lossVsReference: 1.5 });
    expect(row.stepsPerSecond).toBe(75);
  });

  it("delayed: every run fails, each later than 1.5 × the baseline's median failure step; else fails", () => {
    expect(classifyRemedy(evidence([failing(151), failing(400)])).outcome).toBe('delayed');
    expect(classifyRemedy(evidence([failing(150), failing(400)])).outcome).toBe('fails');
    expect(classifyRemedy(evidence([failing(90)])).outcome).toBe('fails');
    expect(classifyRemedy(evidence([failing(400)], { baselineFailStep: null })).outcome).toBe('fails');
    const fails = classifyRemedy(evidence([failing(90), failing(95)]));
    expect(fails).toMatchObject({ cured: 0, finalLoss: null, lossVsReference: null, farWorseLoss: false, failStep: 92.5 });
  });

  it("far-worse loss: cured, but over 10× the reference's loss (not at 10×)", () => {
    expect(classifyRemedy(evidence([healthy(20.2)])).farWorseLoss).toBe(true);
    expect(classifyRemedy(evidence([healthy(20)])).farWorseLoss).toBe(false);
    expect(classifyRemedy(evidence([healthy(50)], { referenceLoss: null })).farWorseLoss).toBe(false);
  });

  it('a remedy that rescales the targets has no loss ratio (its loss is on another scale), alone or combined', () => {
    const row = classifyRemedy(evidence([healthy(1000)], { remedy: remedy('reward-scale-0.1', { rescalesTargets: true }) }));
    expect(row).toMatchObject({ rescalesTargets: true, lossVsReference: null, farWorseLoss: false, finalLoss: 1000 });
    const both = combineRemedies([getRemedy('he-init')!, getRemedy('reward-scale-0.1')!]);
    expect(both.rescalesTargets).toBe(true);
    expect(getRemedy('he-init+reward-scale-0.1')!.rescalesTargets).toBe(true);
    expect(getRemedy('he-init+lr-div10')!.rescalesTargets).toBe(false);
    expect(getRemedy('he-init+no-such')).toBeUndefined();
  });

  it('a remedy that changes how parameters start drops the saved ones: a model file, a state_dict, initFrom', () => {
    const base = tinyConfig().config;
    for (const saved of [{ model: 'critic.h5' }, { weights: 'critic.pt' }, { initFrom: 'dump/' }]) {
      const c = { ...base, network: { ...base.network, ...saved } };
      for (const name of ['he-init', 'bias-0', 'g-0.5']) {
        const n = getRemedy(name)!.transform(c).network;
        for (const key of Object.keys(saved)) expect(n, `${name} on ${key}`).not.toHaveProperty(key);
      }
      // One that does not touch the starting parameters keeps them.
      expect(getRemedy('lr-div10')!.transform(c).network).toMatchObject(saved);
    }
  });

  it("the adam remedy speaks the critic's framework: torch.optim.Adam's ε for a PyTorch critic, TF1's otherwise", () => {
    const adam = getRemedy('adam')!;
    const tf1 = tinyConfig().config;
    expect(adam.transform(tf1).optimizer).toEqual({ type: 'adam', lr: tf1.optimizer.lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    for (const network of [{ weights: 'critic.pt' }, { model: 'critic.ONNX' }]) {
      const torch = { ...tf1, network: { ...tf1.network, ...network } };
      expect(adam.transform(torch).optimizer).toMatchObject({ type: 'adam', biasCorrectedEpsilon: true });
    }
    expect(adam.transform({ ...tf1, network: { ...tf1.network, model: 'critic.keras' } }).optimizer).not.toHaveProperty(
      'biasCorrectedEpsilon',
    );
  });
});

describe('rankRows and bestCure', () => {
  const row = (name: string, over: Partial<RemedyRow>): RemedyRow => ({
    ...classifyRemedy(evidence([healthy(1)], { remedy: remedy(name) })),
    ...over,
  });

  it('cured before partly before delayed before fails; among cures comparable losses first, then relevance, then the lower loss', () => {
    const rows = [
      row('fails', { outcome: 'fails' }),
      row('delayed', { outcome: 'delayed' }),
      row('rescaled', { rescalesTargets: true, relevance: 3 }),
      row('far-worse', { farWorseLoss: true, relevance: 3 }),
      row('relevant-high-loss', { relevance: 2, finalLoss: 5 }),
      row('low-loss', { relevance: 1, finalLoss: 0.5 }),
      row('lower-loss', { relevance: 1, finalLoss: 0.4 }),
      row('partly', { outcome: 'partly' }),
    ];
    expect(rankRows(rows).map((r) => r.remedy)).toEqual([
      'relevant-high-loss',
      'lower-loss',
      'low-loss',
      'rescaled',
      'far-worse',
      'partly',
      'delayed',
      'fails',
    ]);
    expect(rows[0]!.remedy).toBe('fails'); // the input is not reordered
  });

  it('the best cure is the first cured row whose loss is not far worse; none when no row is cured', () => {
    expect(bestCure([row('a', { farWorseLoss: true }), row('b', {})])).toBe('b');
    expect(bestCure([row('a', { outcome: 'partly' })])).toBeNull();
    expect(bestCure([])).toBeNull();
  });
});

const event = (over: Partial<FirstEvent>): FirstEvent => ({
  kind: 'nan',
  step: 10,
  phase: 'forward',
  layer: 'l1',
  tensor: 'x·V',
  count: 1,
  size: 8,
  maxAbs: NaN,
  previousMaxAbs: 1,
  ...over,
});

function cell(over: Partial<CellResult>): CellResult {
  return {
    index: 0,
    variant: 'baseline',
    seed: 0,
    worst: null,
    firstEvents: { nan: null, inf: null, explosion: null },
    stepsRequested: 100,
    stepsRun: 100,
    maxAbsActivation: 1,
    finalLoss: 1,
    deadFraction: null,
    saturatedFraction: null,
    series: [],
    seconds: 2,
    backend: 'cpu',
    findings: [],
    status: 'completed',
    ...over,
  };
}
const saturated = { rule: 'saturated-layer', label: 'saturated', cause: 'scale' as const, layer: 'l3', firstStep: 40 };

describe('runOutcome: a run against what had to be cured', () => {
  it("an event fails the run under failOn (its step is the worst event's); a lesser one does not", () => {
    const c = cell({ worst: 'explosion', firstEvents: { nan: null, inf: null, explosion: event({ kind: 'explosion', step: 70 }) } });
    expect(runOutcome(c, { failOn: 'explosion', findings: new Set() })).toMatchObject({ failed: true, failStep: 70 });
    expect(runOutcome(c, { failOn: 'inf', findings: new Set() })).toMatchObject({ failed: false, failStep: null });
    expect(runOutcome(c, { failOn: 'inf', findings: new Set() }).stepsPerSecond).toBe(50);
  });

  it('with --target finding, a targeted finding fails the run at its first step; another finding does not', () => {
    const c = cell({ findings: [saturated] });
    expect(runOutcome(c, { failOn: 'inf', findings: new Set(['l3 saturated']) })).toMatchObject({ failed: true, failStep: 40 });
    expect(runOutcome(c, { failOn: 'inf', findings: new Set(['l1 dead']) })).toMatchObject({ failed: false });
  });
});

describe('diagnoseCauses: each lint rule and finding declares its cause', () => {
  const lint = (cause: LintFinding['cause'], severity: LintFinding['severity'] = 'warning'): LintFinding => ({
    rule: 'r',
    cause,
    severity,
    path: 'p',
    message: 'm',
    why: 'w',
    remedy: 'x',
  });

  it("lint warnings (not infos), the failing runs' event phases, and the targeted findings' causes", () => {
    const loss = cell({ worst: 'nan', firstEvents: { nan: event({ phase: 'loss', layer: null }), inf: null, explosion: null } });
    const update = cell({ worst: 'nan', firstEvents: { nan: event({ phase: 'update' }), inf: null, explosion: null } });
    const sat = cell({ findings: [saturated] });
    expect(diagnoseCauses([lint('init'), lint('data', 'info')], [loss], new Set()).sort()).toEqual(['init', 'targets']);
    expect(diagnoseCauses([], [update, sat], new Set(['l3 saturated'])).sort()).toEqual(['optimizer', 'scale']);
    expect(diagnoseCauses([], [sat], new Set())).toEqual([]);
    expect(eventCause(event({ phase: 'clip' }))).toBe('optimizer');
    expect(eventCause(event({ phase: 'forward' }))).toBeNull();
  });
});

describe('one median for every table', () => {
  it('treat and compare-activations give the same median step for the same runs (an even count: the mean of the middle two)', () => {
    const steps = [300, 100, 250, 120];
    const cells = steps.map((step, i) =>
      cell({ index: i, variant: 'relu', seed: i, worst: 'nan', firstEvents: { nan: event({ step }), inf: null, explosion: null } }),
    );
    const compare = summarizeCells(cells, ['relu'])[0]!.eventMedianStep;
    const treat = classifyRemedy(evidence(cells.map((c) => runOutcome(c, { failOn: 'inf', findings: new Set() })))).failStep;
    expect(compare).toBe(185);
    expect(treat).toBe(185);
  });
});

describe('verdictText', () => {
  it("the baseline, the cures, the seed answer's remedies (tried, not asked for, or not applicable), the best cure", () => {
    const base = tinyConfig().config; // relu and tanh layers: He init applies, batch norm too
    const rows = [
      classifyRemedy(evidence([healthy()], { remedy: remedy('he-init') })),
      classifyRemedy(evidence([failing(90)], { remedy: remedy('bias-0') })),
    ];
    const text = verdictText({
      rows,
      baseline: { failed: 2, runs: 2, failStep: 117 },
      failOn: 'inf',
      best: 'he-init',
      steps: 300,
      asked: ['he-init', 'bias-0'],
      base,
    });
    expect(text).toBe(
      'Baseline: 2/2 runs fail (fail on inf), median step 117; every remedy ran 300 steps (at least twice that). ' +
        "Cured on every seed: he-init. The seed answer's remedies — he-init: cured (1/1); tf1-variance-scaling: not tried " +
        '(--remedies); bias-0: fails (fails at step ~90); bias-0.01: not tried (--remedies); g-0.5: not tried (--remedies); ' +
        'g-0.1: not tried (--remedies); batch-norm: not tried (--remedies). Best cure: he-init.',
    );
  });
});

describe('every remedy a rule names is one treat can run', () => {
  it('lint rules (on every shipped config and configs made to trip the rest) and findings rules', async () => {
    const { readdirSync } = await import('node:fs');
    const { loadConfigFile } = await import('../../src/config/load-config.js');
    const { lintConfig } = await import('../../src/diagnose/lint.js');
    const { seedRaw, tinyConfig: tiny } = await import('../helpers/configs.js');
    const { validateConfig } = await import('../../src/config/load-config.js');
    const { DeadLayer } = await import('../../src/watch/findings/dead-layer.js');
    const { SaturatedLayer } = await import('../../src/watch/findings/saturated-layer.js');
    const { VanishingGradient } = await import('../../src/watch/findings/vanishing-gradient.js');
    const { LossPlateau } = await import('../../src/watch/findings/loss-plateau.js');
    const { FrozenWeights, ThrashingWeights } = await import('../../src/watch/findings/update-ratio.js');
    const configs = readdirSync('configs').map((f) => loadConfigFile(`configs/${f}`));
    configs.push(
      validateConfig(seedRaw('relu', { data: { source: 'synthetic', transitions: 64, rewardScale: 0.001 } })),
      validateConfig(seedRaw('relu', { optimizer: { type: 'rmsprop', lr: 1e-4, epsilon: 1e-7, rmsInit: 0 } })),
      tiny({
        network: {
          inputDim: 6,
          layers: [
            { name: 'a', units: 4, activation: 'relu', init: { variance_scaling: {} } },
            { name: 'v', units: 1 },
          ],
        },
      }),
    );
    const named = new Set(configs.flatMap((c) => lintConfig(c).map((f) => `${f.rule} → ${f.remedy}`)));
    expect(named.size).toBeGreaterThanOrEqual(10);
    for (const n of named) expect(getRemedy(n.split(' → ')[1]!), n).toBeDefined();
    const rules = [
      new DeadLayer(1),
      new SaturatedLayer(1),
      new VanishingGradient(1),
      new LossPlateau(1, 1),
      new FrozenWeights(1),
      new ThrashingWeights(1),
    ];
    for (const r of rules) {
      const remedy = (r as unknown as { remedy(h: unknown): string }).remedy({ layer: 'l', numbers: {} });
      expect(getRemedy(remedy), `${r.name} → ${remedy}`).toBeDefined();
    }
  });
});
