import { z } from 'zod';
import { fmt } from '../util/number-format.js';
import { FailOn, type FailOnT } from '../config/schema.js';
import { describeEvent, EventKindSchema, FirstEventSchema, type EventKind, type FirstEvent, type FirstEvents } from '../watch/events.js';
import { failsUnder, worstKind } from '../watch/severity.js';
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
  return describeEvent(e);
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
  /** Whether the model's inputs were watched (watchModel): then the verdict says whether the data or the network started it. */
  inputsWatched = false,
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
  // Where it started: an input's event no later than any other (inputs come first in a step).
  const events = [first.explosion, first.inf, first.nan].filter((e): e is FirstEvent => e !== null);
  const earliest = Math.min(...events.map((e) => e.step));
  const origin = events.find((e) => e.phase === 'input' && e.step === earliest);
  if (origin) {
    sentence +=
      ` — the data is where it started: at step ${origin.step}, ${where(origin)}, before any layer ran; find that ` +
      "transition (and guard the environment's output, as VecCheckNan does)";
  } else if (event && inputsWatched) {
    sentence += " (the model's inputs were finite and within range until then)";
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
