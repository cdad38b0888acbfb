import { z } from 'zod';
import type { LoadedConfig } from '../config/load-config.js';
import { FailOn, type Config, type FailOnT } from '../config/schema.js';
import { CellResultSchema, type CellResult } from '../sweep/cell-result.js';
import type { Cell } from '../sweep/grid.js';
import { runCells } from '../sweep/pool.js';
import { activationVariant, defaultCompareLayers } from '../sweep/variant.js';
import { lintConfig } from '../diagnose/lint.js';
import { failsUnder } from '../watch/event-rules.js';
import { findingLabel } from '../diagnose/compare-summary.js';
import { verdictText } from './treat-verdict.js';
import { reportHeader, reportHeaderSchema } from '../report/report-header.js';
import type { BackendChoice } from '../train/backend.js';
import { getRemedy, REMEDIES, type Remedy } from '../diagnose/remedies.js';

import { Float } from '../watch/float-schema.js';
import { isReluLike } from '../model/activations.js';

export const OUTCOMES = ['cured', 'partly', 'delayed', 'fails'] as const;

export const RemedyRowSchema = z.object({
  remedy: z.string(),
  description: z.string(),
  /** cured: every seed healthy for the whole (extended) budget; partly: some; delayed: all fail, later than the baseline; fails. */
  outcome: z.enum(OUTCOMES),
  cured: z.int(),
  runs: z.int(),
  /** Median step of the failing runs' worst event (null when all were cured). */
  failStep: Float.nullable(),
  /** Mean final loss over the cured runs (null when none). */
  finalLoss: Float.nullable(),
  /** finalLoss / the reference's (tanh, or the healthy baseline) — null without a reference. */
  lossVsReference: Float.nullable(),
  /** Cured, but the loss is over 10× the reference's: avoiding NaN is not the same as learning. */
  farWorseLoss: z.boolean(),
  /** The remedy rescales the targets: its loss is on another scale, not comparable (and not ranked by it). */
  rescalesTargets: z.boolean(),
  stepsPerSecond: Float,
  /** How many of the diagnosed causes this remedy addresses (orders ties in the table). */
  relevance: z.int(),
});
export type RemedyRow = z.infer<typeof RemedyRowSchema>;

export const TreatReportSchema = reportHeaderSchema('treat').extend({
  failOn: FailOn,
  seeds: z.array(z.int()),
  baseline: z.object({ failed: z.int(), runs: z.int(), failStep: Float.nullable(), steps: z.int() }),
  /** Steps each remedy ran: at least twice the baseline's failure step, so a delay is not taken for a cure. */
  remedySteps: z.int(),
  /** What the remedies had to cure: events (under failOn), or also these findings of the baseline (`--target finding`). */
  target: z.enum(['event', 'finding']).default('event'),
  targetFindings: z.array(z.string()).default([]),
  /** Diagnosed causes (from lint and the baseline's failures) the ordering follows. */
  causes: z.array(z.string()),
  reference: z.object({ name: z.string(), finalLoss: Float.nullable() }).nullable(),
  rows: z.array(RemedyRowSchema),
  cells: z.array(CellResultSchema),
  best: z.string().nullable(),
  verdict: z.string(),
  timing: z.object({ wallSeconds: Float }),
  /** interrupted: a signal stopped it; the table covers the runs that finished (no cure is recommended). */
  status: z.enum(['completed', 'interrupted']).default('completed'),
});
export type TreatReport = z.infer<typeof TreatReportSchema>;

export interface TreatOptions {
  loaded: LoadedConfig;
  seeds: number[];
  remedies?: string[];
  combine?: 1 | 2;
  steps?: number;
  failOn?: FailOnT;
  backend?: BackendChoice;
  concurrency?: number;
  /** Each run with this many replicas nudged at float32 rounding level (robustness per cell, in the JSON cells). */
  replicas?: number;
  onCellDone?: (r: CellResult, done: number, total: number) => void;
  /** Aborting stops the runs in progress after their current step; the report is still whole, status interrupted. */
  signal?: AbortSignal;
  /**
   * What to cure: `event` (default) the NaN/Inf/explosion under failOn; `finding` also the baseline's
   * silent failures (a saturated or dead layer, ...): a remedy cures when the run has neither.
   */
  target?: 'event' | 'finding';
}

const median = (xs: number[]) => (xs.length ? xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : null);
/** The step a run went wrong: its worst event's, else its first targeted finding's. */
const worstStep = (c: CellResult, targets: ReadonlySet<string>) =>
  c.worst ? c.firstEvents[c.worst]!.step : (c.findings.filter((f) => targets.has(findingLabel(f)))[0]?.firstStep ?? null);

/** Combined remedies: both transforms, in order ("he-init+lr-div10"). */
function combined(a: Remedy, b: Remedy): Remedy {
  return {
    name: `${a.name}+${b.name}`,
    description: `${a.description}; and ${b.description}`,
    addresses: [...a.addresses, ...b.addresses],
    applies: (c) => a.applies(c) && b.applies(a.transform(c)),
    transform: (c) => b.transform(a.transform(c)),
  };
}

/**
 * `critic-doctor treat`: the baseline first (it must fail), then every remedy as a one-change
 * variant on the same data and seeds, in parallel, each run to at least twice the baseline's
 * failure step; rows ordered by outcome, then by how well they address the diagnosed causes.
 */
export async function treat(opts: TreatOptions): Promise<TreatReport> {
  const t0 = performance.now();
  const base: Config = { ...opts.loaded.config, steps: opts.steps ?? opts.loaded.config.steps };
  const failOn = opts.failOn ?? base.watch.failOn;
  const job = {
    config: base,
    file: opts.loaded.file,
    layers: defaultCompareLayers(base),
    failOn,
    backend: opts.backend ?? ('auto' as const),
    replicas: opts.replicas,
  };
  const cellsFor = (variant: string, from: number): Cell[] =>
    opts.seeds.map((seed, i) => ({ index: from + i, activation: 'linear', seed, variant }));

  const pool = { concurrency: opts.concurrency, onCellDone: opts.onCellDone, signal: opts.signal };
  const interrupted = () => opts.signal?.aborted === true;
  const baselineRuns = await runCells({ job: { ...job, variants: { baseline: base } }, cells: cellsFor('baseline', 0), ...pool });
  // With target finding, the baseline's findings are what a remedy must remove (besides any event).
  const targets = new Set(opts.target === 'finding' ? baselineRuns.results.flatMap((c) => c.findings.map(findingLabel)) : []);
  const bad = (c: CellResult) => failsUnder(c.worst, failOn) || c.findings.some((f) => targets.has(findingLabel(f)));
  const failing = baselineRuns.results.filter(bad);
  const failStep = median(failing.map((c) => worstStep(c, targets)!));
  const maxFail = Math.max(0, ...failing.map((c) => worstStep(c, targets)!));
  const remedySteps = Math.max(base.steps, 2 * maxFail + 2);

  const lint = lintConfig(opts.loaded);
  const causes = new Set<string>(
    lint
      .filter((f) => f.severity === 'warning')
      .map(
        (f) =>
          ({
            'glorot-with-relu': 'init',
            'variance-scaling-is-not-he': 'init',
            'bootstrap-gamma-1': 'targets',
            'state-scale': 'scale',
            'reward-scale': 'scale',
            'regularizer-not-in-loss': 'regularizer',
            'return-norm-no-epsilon': 'data',
            'sgd-without-clipping': 'optimizer',
            'rmsprop-tiny-epsilon': 'optimizer',
          })[f.rule] ?? 'other',
      ),
  );
  for (const c of failing) {
    const e = c.worst ? c.firstEvents[c.worst] : null;
    if (e?.phase === 'loss') causes.add('targets');
    if (e?.phase === 'update' || e?.phase === 'clip') causes.add('optimizer');
    // Findings: a saturated or starved layer is a matter of scale; a dead one of the activation; a flat loss of the targets.
    for (const f of c.findings) {
      if (!targets.has(findingLabel(f))) continue;
      const cause = (
        {
          'saturated-layer': 'scale',
          'vanishing-gradient': 'scale',
          'frozen-weights': 'scale',
          'thrashing-weights': 'optimizer',
          'dead-layer': 'activation',
          'loss-plateau': 'targets',
        } as const
      )[f.rule];
      if (cause) causes.add(cause);
    }
  }

  const report = (
    rows: RemedyRow[],
    cells: CellResult[],
    reference: TreatReport['reference'],
    best: string | null,
    verdict: string,
  ): TreatReport => ({
    ...reportHeader('treat', opts.loaded, base),
    failOn,
    seeds: opts.seeds,
    baseline: { failed: failing.length, runs: opts.seeds.length, failStep, steps: base.steps },
    remedySteps,
    target: opts.target ?? 'event',
    targetFindings: [...targets],
    causes: [...causes],
    reference,
    rows,
    cells,
    best,
    verdict,
    timing: { wallSeconds: (performance.now() - t0) / 1000 },
    status: interrupted() ? 'interrupted' : 'completed',
  });
  if (interrupted()) {
    return report(
      [],
      baselineRuns.results,
      null,
      null,
      `Interrupted while running the baseline (${baselineRuns.results.length} of ${opts.seeds.length} runs started): no remedy was tried.`,
    );
  }
  if (failing.length === 0) {
    return report(
      [],
      baselineRuns.results,
      null,
      null,
      `The baseline does not fail (fail on ${failOn}) in ${base.steps} steps on seeds ${opts.seeds.join(', ')}: nothing to treat.`,
    );
  }

  let remedies = opts.remedies ? opts.remedies.map((n) => getRemedy(n)!) : REMEDIES.filter((r) => r.applies(base));
  if (opts.combine === 2) {
    const singles = remedies;
    remedies = [...singles, ...singles.flatMap((a, i) => singles.slice(i + 1).map((b) => combined(a, b)))].filter((r) => r.applies(base));
  }
  const variants: Record<string, Config> = {};
  for (const r of remedies) variants[r.name] = { ...r.transform(base), steps: remedySteps };
  const relu = base.network.layers.some((l) => isReluLike(l.activation));
  if (relu) variants['reference:tanh'] = { ...activationVariant(base, defaultCompareLayers(base), 'tanh', base.seed), steps: remedySteps };
  const names = Object.keys(variants);
  const cells = names.flatMap((name, k) => cellsFor(name, (k + 1) * opts.seeds.length));
  const { results: ran } = await runCells({ job: { ...job, variants }, cells, ...pool });
  // A run cut short by an interrupt is neither cured nor failed: it is left out of the table.
  const results = ran.filter((c) => c.status !== 'interrupted');

  const meanLoss = (rs: CellResult[]) => {
    const v = rs.filter((c) => !bad(c) && Number.isFinite(c.finalLoss)).map((c) => c.finalLoss);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
  };
  const refRuns = results.filter((c) => c.variant === 'reference:tanh');
  const reference = relu ? { name: 'tanh in place of the relu-like activations', finalLoss: meanLoss(refRuns) } : null;
  const rows: RemedyRow[] = remedies.map((r) => {
    const rs = results.filter((c) => c.variant === r.name);
    const failed = rs.filter(bad);
    const cured = rs.length - failed.length;
    const steps = failed.map((c) => worstStep(c, targets)!);
    const delayed = failed.length === rs.length && failStep !== null && Math.min(...steps) > 1.5 * failStep;
    const outcome = cured === rs.length ? 'cured' : cured > 0 ? 'partly' : delayed ? 'delayed' : 'fails';
    const finalLoss = meanLoss(rs);
    const rescales = r.rescalesTargets === true || r.name.split('+').some((n) => getRemedy(n)?.rescalesTargets);
    const lossVsReference = finalLoss !== null && reference?.finalLoss && !rescales ? finalLoss / reference.finalLoss : null;
    const sps = rs.reduce((a, c) => a + c.stepsRun / Math.max(c.seconds, 1e-9), 0) / Math.max(1, rs.length);
    return {
      remedy: r.name,
      description: r.description,
      outcome,
      cured,
      runs: rs.length,
      failStep: median(steps),
      finalLoss,
      lossVsReference,
      farWorseLoss: cured > 0 && lossVsReference !== null && lossVsReference > 10,
      rescalesTargets: rescales,
      stepsPerSecond: sps,
      relevance: r.addresses.filter((a) => causes.has(a)).length,
    };
  });
  // Cured first; among them, losses comparable with the reference before rescaled ones, closer to the diagnosed cause first.
  rows.sort(
    (a, b) =>
      OUTCOMES.indexOf(a.outcome) - OUTCOMES.indexOf(b.outcome) ||
      Number(a.farWorseLoss) - Number(b.farWorseLoss) ||
      Number(a.rescalesTargets) - Number(b.rescalesTargets) ||
      b.relevance - a.relevance ||
      (a.finalLoss ?? Infinity) - (b.finalLoss ?? Infinity),
  );
  if (interrupted()) {
    // Partial evidence: show what finished, recommend nothing.
    const text =
      `Interrupted: ${results.length} of ${cells.length} remedy runs finished (the table counts only those; a run cut ` +
      `short counts as neither cured nor failed). No cure is recommended from partial results.`;
    return report(
      rows.filter((r) => r.runs > 0),
      [...baselineRuns.results, ...ran],
      reference,
      null,
      text,
    );
  }
  const best = rows.find((r) => r.outcome === 'cured' && !r.farWorseLoss)?.remedy ?? null;
  return report(
    rows,
    [...baselineRuns.results, ...results],
    reference,
    best,
    verdictText(
      rows,
      failing.length,
      opts.seeds.length,
      failStep,
      targets.size ? `${failOn}, or ${[...targets].join(', ')}` : failOn,
      best,
      remedySteps,
      opts.remedies,
      base,
    ),
  );
}
