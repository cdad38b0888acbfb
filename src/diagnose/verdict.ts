import { z } from 'zod';
import { fmt } from '../util/number-format.js';
import { FailOn, type FailOnT } from '../config/schema.js';
import { EventKindSchema, FirstEventSchema, type EventKind, type FirstEvent, type FirstEvents } from '../watch/events.js';
import { failsUnder, worstKind } from '../watch/severity.js';
import { describePoint } from '../watch/watch-points.js';
import type { EarlyWarning } from '../watch/early-warning.js';
import type { Finding } from '../watch/findings/finding.js';

/** The run's outcome, decided once, before any reporter runs. */
export const VerdictSchema = z.object({
  /** The worst trouble seen: nan > inf > explosion, or null when healthy. */
  worst: EventKindSchema.nullable(),
  /** Whether the run fails (exit 1) under `failOn`. */
  failed: z.boolean(),
  failOn: FailOn,
  /** One line: when, where and what. */
  sentence: z.string(),
  /** The event the sentence is about. */
  event: FirstEventSchema.nullable(),
});
export type Verdict = z.infer<typeof VerdictSchema>;

function where(e: FirstEvent): string {
  return describePoint(e);
}

/** The verdict for a run with these first events. */
export function decideVerdict(
  first: FirstEvents,
  failOn: FailOnT,
  stepsRun: number,
  threshold: number,
  healthyNote = '',
  warning: EarlyWarning | null = null,
  findings: readonly Finding[] = [],
): Verdict {
  const worst: EventKind | null = worstKind(first);
  const failed =
    failsUnder(worst, failOn) ||
    ((failOn === 'warning' || failOn === 'finding') && warning !== null) ||
    (failOn === 'finding' && findings.length > 0);
  let sentence: string;
  let event: FirstEvent | null = null;
  if (first.nan) {
    event = first.nan;
    const before: string[] = [];
    if (first.inf) before.push(`first Inf at step ${first.inf.step} (${where(first.inf)})`);
    if (first.explosion) before.push(`first |x| > ${fmt(threshold)} at step ${first.explosion.step} (${where(first.explosion)})`);
    sentence =
      `NaN first appeared at step ${first.nan.step}: ${where(first.nan)} (${first.nan.count} of ${first.nan.size} entries)` +
      (before.length ? `; before it: ${before.join('; ')}` : '');
  } else if (first.inf) {
    event = first.inf;
    sentence =
      `Inf (float32 overflow) first appeared at step ${first.inf.step}: ${where(first.inf)} ` +
      `(${first.inf.count} of ${first.inf.size} entries)` +
      (first.explosion && first.explosion.step < first.inf.step
        ? `; |x| first exceeded ${fmt(threshold)} at step ${first.explosion.step} (${where(first.explosion)})`
        : '');
  } else if (first.explosion) {
    const e = first.explosion;
    event = e;
    sentence =
      `No NaN or Inf in ${stepsRun} steps, but an explosion: |x| first exceeded ${fmt(threshold)} at step ${e.step}: ${where(e)} ` +
      `(max |x| ${fmt(e.maxAbs)}, ${fmt(e.previousMaxAbs)} the step before)`;
  } else if (findings.length > 0) {
    const f = findings[0]!;
    const more = findings.length > 1 ? ` (and ${findings.length - 1} more finding${findings.length > 2 ? 's' : ''})` : '';
    sentence = `No NaN, Inf or |x| > ${fmt(threshold)} in ${stepsRun} steps, but ${f.sentence}: ${f.meaning}${more}`;
  } else {
    sentence = `Healthy: no NaN, Inf or |x| > ${fmt(threshold)} in ${stepsRun} steps${healthyNote}`;
  }
  if (warning) {
    const nonFinite = first.nan && first.inf ? Math.min(first.nan.step, first.inf.step) : (first.inf ?? first.nan)?.step;
    sentence +=
      `; early warning at step ${warning.step}: ${warning.quantity} growing ×10 every ${fmt(warning.stepsPerDecade)} steps, ` +
      `overflow predicted near step ${warning.predictedOverflowStep}` +
      (warning.latest.step > warning.step ? ` (by step ${warning.latest.step}: near step ${warning.latest.predictedOverflowStep})` : '') +
      (nonFinite !== undefined ? `, ${nonFinite - warning.step} steps before the first non-finite value` : '');
  }
  return { worst, failed, failOn, sentence, event };
}
