import { z } from 'zod';
import { fmt } from '../util/number-format.js';
import { Float } from '../util/float-schema.js';
import { ActivationName, FailOn, type ActivationNameT, type FailOnT } from '../config/schema.js';
import type { CellResult } from './cell-result.js';
import { findingLabel } from '../watch/findings/finding.js';
import { mean, median } from '../util/stats.js';
import { EventKindSchema, type EventKind, type FirstEvent } from '../watch/events.js';
import { failsUnder, worseKind } from '../watch/severity.js';

/** One row of the comparison table: every run of one activation. */
export const ActivationRowSchema = z.object({
  activation: ActivationName,
  runs: z.int(),
  /** Runs whose first events include each kind. */
  nan: z.int(),
  inf: z.int(),
  explosion: z.int(),
  /** The worst kind any run of this activation reached. */
  worst: EventKindSchema.nullable(),
  /** Steps of each failing run's worst event. */
  eventMedianStep: Float.nullable(),
  eventMinStep: Float.nullable(),
  /** The most common "layer phase" of those events (e.g. "l3_1 backward"). */
  commonPlace: z.string().nullable(),
  maxAbsActivation: Float,
  /** Median final loss over the runs with no event at all (null if none was healthy). */
  healthyFinalLoss: Float.nullable(),
  deadFraction: Float.nullable(),
  saturatedFraction: Float.nullable(),
  /** Findings (silent failures) and how many runs had each: "l3 saturated" in 3 runs. */
  findings: z.array(z.object({ label: z.string(), runs: z.int() })).default([]),
  /** With --replicas: how many runs' diagnoses were robust, spread or chaotic under one-ulp nudges. */
  robustness: z.object({ robust: z.int(), spread: z.int(), chaotic: z.int() }).nullable().default(null),
});
export type ActivationRow = z.infer<typeof ActivationRowSchema>;

export const CompareVerdictSchema = z.object({
  sentence: z.string(),
  failed: z.boolean(),
  failOn: FailOn.nullable(),
  expectHealthy: z.array(ActivationName),
  /** Why it failed, one line per failing activation. */
  failures: z.array(z.string()),
  /**
   * What the mark before the sentence says: failed (exit 1), events (some run had a NaN, Inf or
   * explosion that did not fail it), findings (silent failures only), healthy. With
   * --expect-healthy only the named activations count.
   */
  level: z.enum(['failed', 'events', 'findings', 'healthy']),
});
export type CompareVerdict = z.infer<typeof CompareVerdictSchema>;

function worstEvent(c: CellResult): FirstEvent | null {
  return c.worst ? c.firstEvents[c.worst] : null;
}

/** Aggregates cells into one row per activation, in the order the activations were asked for. */
export function summarizeCells(cells: readonly CellResult[], activations: readonly ActivationNameT[]): ActivationRow[] {
  return activations.map((activation) => {
    const runs = cells.filter((c) => c.variant === activation);
    const events = runs.map(worstEvent).filter((e): e is FirstEvent => e !== null);
    const places = new Map<string, number>();
    for (const e of events) {
      const k = `${e.layer ?? e.phase} ${e.layer ? e.phase : e.tensor}`;
      places.set(k, (places.get(k) ?? 0) + 1);
    }
    const commonPlace = [...places.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
    const worst = runs.reduce<EventKind | null>((w, c) => worseKind(w, c.worst), null);
    return {
      activation,
      runs: runs.length,
      nan: runs.filter((c) => c.firstEvents.nan).length,
      inf: runs.filter((c) => c.firstEvents.inf).length,
      explosion: runs.filter((c) => c.firstEvents.explosion).length,
      worst,
      eventMedianStep: median(events.map((e) => e.step)),
      eventMinStep: events.length ? Math.min(...events.map((e) => e.step)) : null,
      commonPlace,
      maxAbsActivation: runs.reduce((m, c) => Math.max(m, c.maxAbsActivation), 0),
      healthyFinalLoss: median(runs.filter((c) => c.worst === null).map((c) => c.finalLoss)),
      deadFraction: mean(runs.map((c) => c.deadFraction)),
      saturatedFraction: mean(runs.map((c) => c.saturatedFraction)),
      findings: countFindings(runs),
      robustness: runs.some((c) => c.robustness)
        ? {
            robust: runs.filter((c) => c.robustness?.class === 'robust').length,
            spread: runs.filter((c) => c.robustness?.class === 'spread').length,
            chaotic: runs.filter((c) => c.robustness?.class === 'chaotic').length,
          }
        : null,
    };
  });
}

function countFindings(runs: readonly CellResult[]): { label: string; runs: number }[] {
  const n = new Map<string, number>();
  for (const c of runs) for (const label of new Set(c.findings.map(findingLabel))) n.set(label, (n.get(label) ?? 0) + 1);
  return [...n.entries()].map(([label, k]) => ({ label, runs: k }));
}

const LABEL: Record<EventKind, string> = { nan: 'NaN', inf: 'Inf', explosion: 'exploded' };

/** "relu: 5/5 runs NaN, median step 1423, first in l3_1 backward" */
export function rowSentence(r: ActivationRow): string {
  const found = r.findings.map((f) => `, ${f.runs}/${r.runs} ${f.label}`).join('') + robustnessText(r);
  if (!r.worst) return `${r.activation}: 0/${r.runs}${found}`;
  const k = r[r.worst];
  const place = r.commonPlace ? `, first in ${r.commonPlace}` : '';
  return `${r.activation}: ${k}/${r.runs} runs ${LABEL[r.worst]}, median step ${fmt(r.eventMedianStep)}${place}${found}`;
}

/** ", rounding: 2/3 robust, 1/3 chaotic" (with --replicas), else nothing. */
function robustnessText(r: ActivationRow): string {
  const rb = r.robustness;
  if (!rb) return '';
  const parts = (['robust', 'spread', 'chaotic'] as const).filter((k) => rb[k] > 0).map((k) => `${rb[k]}/${r.runs} ${k}`);
  return `, rounding: ${parts.join(', ')}`;
}

/** Does a run fail under `level` (a finding counts under `finding`)? */
export function cellFails(c: CellResult, level: FailOnT): boolean {
  return failsUnder(c.worst, level) || (level === 'finding' && c.findings.length > 0);
}

/**
 * The comparison's verdict. Without `failOn` and `expectHealthy` a completed comparison passes;
 * `failOn` fails it when any run reaches that severity; `expectHealthy` only checks the named
 * activations (at `failOn`, else at `defaultFailOn`, the config's watch.failOn).
 */
export function decideCompareVerdict(
  rows: readonly ActivationRow[],
  cells: readonly CellResult[],
  failOn: FailOnT | undefined,
  expectHealthy: readonly ActivationNameT[],
  defaultFailOn: FailOnT,
): CompareVerdict {
  const sentence = rows.map(rowSentence).join('; ');
  const failures: string[] = [];
  const level = failOn ?? (expectHealthy.length ? defaultFailOn : undefined);
  if (level) {
    const checked = expectHealthy.length ? new Set(expectHealthy) : null;
    for (const r of rows) {
      if (checked && !checked.has(r.activation)) continue;
      const bad = cells.filter((c) => c.variant === r.activation && cellFails(c, level));
      if (bad.length)
        failures.push(
          `${r.activation}: ${bad.length}/${r.runs} runs ${checked ? 'not healthy' : 'failed'} (fail on ${level}): ` +
            `seeds ${bad.map((c) => c.seed).join(', ')}`,
        );
    }
  }
  const counted = expectHealthy.length ? rows.filter((r) => expectHealthy.includes(r.activation)) : rows;
  const mark = failures.length
    ? 'failed'
    : counted.some((r) => r.worst)
      ? 'events'
      : counted.some((r) => r.findings.length)
        ? 'findings'
        : 'healthy';
  return { sentence, failed: failures.length > 0, failOn: level ?? null, expectHealthy: [...expectHealthy], failures, level: mark };
}
