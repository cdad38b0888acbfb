import type { Config, FailOnT } from '../config/schema.js';
import { activationVariant, defaultCompareLayers } from '../diagnose/activation-variant.js';
import { lintConfig } from '../diagnose/lint.js';
import { applicableRemedies } from '../diagnose/remedies.js';
import { bestCure, classifyRemedy, curedLoss, rankRows, runOutcome, type CureTarget } from '../diagnose/remedy-outcome.js';
import { diagnoseCauses } from '../diagnose/treat-causes.js';
import { verdictText } from '../diagnose/treat-verdict.js';
import { isReluLike } from '../model/activation-names.js';
import { reportHeader } from '../report/report-header.js';
import type { TreatReport } from '../report/treat-report.js';
import { median } from '../util/stats.js';
import { findingLabel } from '../watch/findings/finding.js';
import { buildGrid } from './cell.js';
import { runVariants, type VariantRunOptions } from './variant-runs.js';

export interface TreatOptions extends VariantRunOptions {
  seeds: number[];
  remedies?: string[];
  combine?: 1 | 2;
  steps?: number;
  failOn?: FailOnT;
  /**
   * What to cure: `event` (default) the NaN/Inf/explosion under failOn; `finding` also the baseline's
   * silent failures (a saturated or dead layer, ...): a remedy cures when the run has neither.
   */
  target?: 'event' | 'finding';
}

const REFERENCE = 'reference:tanh';

/**
 * `critic-doctor treat`: the baseline first (it must fail), then every remedy as a one-change
 * variant on the same data and seeds, in parallel, each run to at least twice the baseline's
 * failure step; rows classified and ranked by diagnose/remedy-outcome.ts.
 */
export async function treat(opts: TreatOptions): Promise<TreatReport> {
  const t0 = performance.now();
  const base: Config = { ...opts.loaded.config, steps: opts.steps ?? opts.loaded.config.steps };
  const failOn = opts.failOn ?? base.watch.failOn;
  const layers = defaultCompareLayers(base);
  const run = (variants: Record<string, Config>, from: number) =>
    runVariants(opts, { variants, layers, failOn }, buildGrid(Object.keys(variants), opts.seeds, from));

  // 1. The baseline: what failed, when; with target finding, its findings are what a remedy must remove too.
  const { results: baseline } = await run({ baseline: base }, 0);
  const labels = opts.target === 'finding' ? baseline.flatMap((c) => c.findings.map(findingLabel)) : [];
  const target: CureTarget = { failOn, findings: new Set(labels) };
  const outcomes = baseline.map((c) => runOutcome(c, target));
  const failing = baseline.filter((_, i) => outcomes[i]!.failed);
  const failStep = median(outcomes.map((o) => o.failStep));
  const remedySteps = Math.max(base.steps, 2 * Math.max(0, ...outcomes.map((o) => o.failStep ?? 0)) + 2);
  const causes = diagnoseCauses(lintConfig(opts.loaded), failing, target.findings);
  const report = (parts: Pick<TreatReport, 'rows' | 'cells' | 'reference' | 'best' | 'verdict'>): TreatReport => ({
    ...reportHeader('treat', opts.loaded, base),
    failOn,
    seeds: opts.seeds,
    baseline: { failed: failing.length, runs: opts.seeds.length, failStep, steps: base.steps },
    remedySteps,
    target: opts.target ?? 'event',
    targetFindings: [...target.findings],
    causes,
    reference: parts.reference,
    rows: parts.rows,
    cells: parts.cells,
    best: parts.best,
    verdict: parts.verdict,
    timing: { wallSeconds: (performance.now() - t0) / 1000 },
    status: opts.signal?.aborted ? 'interrupted' : 'completed',
  });
  const early = (verdict: string) => report({ rows: [], cells: baseline, reference: null, best: null, verdict });
  if (opts.signal?.aborted)
    return early(`Interrupted while running the baseline (${baseline.length} of ${opts.seeds.length} runs started): no remedy was tried.`);
  if (!failing.length)
    return early(
      `The baseline does not fail (fail on ${failOn}) in ${base.steps} steps on seeds ${opts.seeds.join(', ')}: nothing to treat.`,
    );

  // 2. The variants: every remedy that applies (or those asked for), and tanh as the reference for relu-like critics.
  const remedies = applicableRemedies(base, opts.remedies, opts.combine === 2);
  const variants = Object.fromEntries(remedies.map((r) => [r.name, { ...r.transform(base), steps: remedySteps }]));
  const relu = base.network.layers.some((l) => isReluLike(l.activation));
  if (relu) variants[REFERENCE] = { ...activationVariant(base, layers, 'tanh', base.seed), steps: remedySteps };

  // 3. The cells, then the rows. A run cut short by an interrupt is neither cured nor failed: it is left out.
  const { results: ran } = await run(variants, opts.seeds.length);
  const planned = Object.keys(variants).length * opts.seeds.length;
  const finished = ran.filter((c) => c.status !== 'interrupted');
  const of = (name: string) => finished.filter((c) => c.variant === name).map((c) => runOutcome(c, target));
  const referenceLoss = relu ? curedLoss(of(REFERENCE)) : null;
  const reference = relu ? { name: 'tanh in place of the relu-like activations', finalLoss: referenceLoss } : null;
  const diagnosed = new Set(causes);
  const classified = remedies.map((remedy) =>
    classifyRemedy({ remedy, runs: of(remedy.name), baselineFailStep: failStep, referenceLoss, causes: diagnosed }),
  );
  const rows = rankRows(classified.filter((r) => r.runs > 0 || !opts.signal?.aborted));
  if (opts.signal?.aborted)
    return report({ rows, cells: [...baseline, ...ran], reference, best: null, verdict: interruptedText(finished.length, planned) });
  const best = bestCure(rows);
  const failLabel = target.findings.size ? `${failOn}, or ${[...target.findings].join(', ')}` : failOn;
  const verdict = verdictText({
    rows,
    baseline: { failed: failing.length, runs: opts.seeds.length, failStep },
    failOn: failLabel,
    best,
    steps: remedySteps,
    asked: opts.remedies,
    base,
  });
  return report({ rows, cells: [...baseline, ...finished], reference, best, verdict });
}

/** The verdict when a signal stopped the remedies: partial evidence is shown, nothing recommended. */
function interruptedText(finished: number, total: number): string {
  return (
    `Interrupted: ${finished} of ${total} remedy runs finished (the table counts only those; a run cut ` +
    `short counts as neither cured nor failed). No cure is recommended from partial results.`
  );
}
