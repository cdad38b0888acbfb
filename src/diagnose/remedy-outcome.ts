import { z } from 'zod';
import type { FailOnT } from '../config/schema.js';
import { Float } from '../util/float-schema.js';
import { mean, median } from '../util/stats.js';
import type { Cause } from '../watch/cause.js';
import { failsUnder } from '../watch/severity.js';
import { findingLabel } from '../watch/findings/finding.js';
import type { CellResult } from './cell-result.js';
import type { Remedy } from './remedies.js';

/*
 * treat's decisions, as pure functions of the runs' outcomes: did a remedy cure, partly cure,
 * delay or fail to cure, how its loss compares with the reference's, and how the rows rank.
 */

export const OUTCOMES = ['cured', 'partly', 'delayed', 'fails'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** A remedy that delays the failure by more than this factor of the baseline's failure step is "delayed", not "fails". */
export const DELAY_FACTOR = 1.5;
/** A cure whose loss is over this many times the reference's is flagged: avoiding NaN is not the same as learning. */
export const FAR_WORSE_LOSS = 10;

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

/** What treat needs of one run: whether it failed what was to be cured, when, its final loss and speed. */
export interface RunOutcome {
  failed: boolean;
  /** Its worst event's step, else its first targeted finding's (null when it did not fail). */
  failStep: number | null;
  finalLoss: number;
  stepsPerSecond: number;
}

/** What a remedy must cure: events under `failOn`, and (`--target finding`) these findings of the baseline. */
export interface CureTarget {
  failOn: FailOnT;
  findings: ReadonlySet<string>;
}

/** A run's outcome against the cure target. */
export function runOutcome(c: CellResult, target: CureTarget): RunOutcome {
  const targeted = c.findings.filter((f) => target.findings.has(findingLabel(f)));
  const failed = failsUnder(c.worst, target.failOn) || targeted.length > 0;
  const failStep = !failed ? null : c.worst ? c.firstEvents[c.worst]!.step : (targeted[0]?.firstStep ?? null);
  return { failed, failStep, finalLoss: c.finalLoss, stepsPerSecond: c.stepsRun / Math.max(c.seconds, 1e-9) };
}

/** The mean final loss of the runs that did not fail (null when every run failed). */
export function curedLoss(runs: readonly RunOutcome[]): number | null {
  return mean(runs.filter((r) => !r.failed).map((r) => r.finalLoss));
}

/** The evidence on one remedy: its runs, the baseline's median failure step, the reference's loss, the diagnosed causes. */
export interface RemedyEvidence {
  remedy: Pick<Remedy, 'name' | 'description' | 'addresses' | 'rescalesTargets'>;
  runs: readonly RunOutcome[];
  baselineFailStep: number | null;
  /** The reference's mean final loss (tanh in place of relu-like activations), or null. */
  referenceLoss: number | null;
  causes: ReadonlySet<Cause>;
}

/** One row of treat's table: the outcome, the loss against the reference, the relevance to the diagnosis. */
export function classifyRemedy(e: RemedyEvidence): RemedyRow {
  const failed = e.runs.filter((r) => r.failed);
  const cured = e.runs.length - failed.length;
  const steps = failed.map((r) => r.failStep).filter((s): s is number => s !== null);
  const delayed =
    failed.length === e.runs.length &&
    e.baselineFailStep !== null &&
    steps.length > 0 &&
    Math.min(...steps) > DELAY_FACTOR * e.baselineFailStep;
  const outcome: Outcome = cured === e.runs.length ? 'cured' : cured > 0 ? 'partly' : delayed ? 'delayed' : 'fails';
  const finalLoss = curedLoss(e.runs);
  const rescalesTargets = e.remedy.rescalesTargets === true;
  const lossVsReference = finalLoss !== null && e.referenceLoss && !rescalesTargets ? finalLoss / e.referenceLoss : null;
  return {
    remedy: e.remedy.name,
    description: e.remedy.description,
    outcome,
    cured,
    runs: e.runs.length,
    failStep: median(steps),
    finalLoss,
    lossVsReference,
    farWorseLoss: cured > 0 && lossVsReference !== null && lossVsReference > FAR_WORSE_LOSS,
    rescalesTargets,
    stepsPerSecond: mean(e.runs.map((r) => r.stepsPerSecond)) ?? 0,
    relevance: e.remedy.addresses.filter((a) => e.causes.has(a)).length,
  };
}

/**
 * The table's order: cured first (then partly, delayed, fails); among equals, losses comparable
 * with the reference before far-worse and rescaled ones, the diagnosed cause first, lower loss first.
 */
export function rankRows(rows: readonly RemedyRow[]): RemedyRow[] {
  return [...rows].sort(
    (a, b) =>
      OUTCOMES.indexOf(a.outcome) - OUTCOMES.indexOf(b.outcome) ||
      Number(a.farWorseLoss) - Number(b.farWorseLoss) ||
      Number(a.rescalesTargets) - Number(b.rescalesTargets) ||
      b.relevance - a.relevance ||
      (a.finalLoss ?? Infinity) - (b.finalLoss ?? Infinity),
  );
}

/** The cure to recommend: the first cured row whose loss is not far worse than the reference's. */
export function bestCure(rows: readonly RemedyRow[]): string | null {
  return rows.find((r) => r.outcome === 'cured' && !r.farWorseLoss)?.remedy ?? null;
}
