import type { RunReport } from '../report/run-report.js';
import { replicaOutcome, summarizeRobustness } from '../diagnose/robustness.js';
import type { RunOptions } from './run-options.js';

/*
 * `--replicas`: a run's replicas (initial parameters nudged by one float32 ulp, model/ulp-nudge.ts),
 * where they run, and what their outcomes say about the run's diagnosis (diagnose/robustness.ts).
 */

/** The run and its k − 1 replicas (k ≤ 1: the run alone), to train as one ensemble. */
export function replicaOptions(opts: RunOptions, k: number): RunOptions[] {
  // Replicas see only the watchdog: no progress bars, no dumps.
  const replica = (r: number): RunOptions => ({ ...opts, replicas: 1, replica: r, callbacks: [], dumpDir: undefined, stream: undefined });
  return [{ ...opts, replicas: 1 }, ...Array.from({ length: Math.max(0, k - 1) }, (_, i) => replica(i + 1))];
}

/** What robustness needs of a replica's run. */
export interface ReplicaResult {
  firstEvents: RunReport['firstEvents'];
  worst: RunReport['verdict']['worst'];
  failed: boolean;
  stepsRun: number;
}

export function replicaResult(r: RunReport): ReplicaResult {
  return { firstEvents: r.firstEvents, worst: r.verdict.worst, failed: r.verdict.failed, stepsRun: r.stepsRun };
}

/**
 * Replica 0's report with the robustness of its diagnosis across all the replicas (replica 0
 * first). A replica that fails under failOn fails the run too: a NaN one ulp away is a NaN this
 * config can produce (the verdict says so; worst and the tables stay replica 0's).
 */
export function withRobustness(r0: RunReport, replicas: readonly ReplicaResult[]): RunReport {
  const outcomes = replicas.map((r, i) => replicaOutcome(i, r.firstEvents, r.worst, r.stepsRun));
  const failing = replicas.filter((r) => r.failed);
  const kinds = [...new Set(failing.map((r) => r.worst ?? 'finding'))].join(', ');
  const but = `but ${failing.length}/${replicas.length} replicas one ulp away fail (${kinds}): see Robustness`;
  const verdict =
    r0.verdict.failed || !failing.length
      ? r0.verdict
      : {
          ...r0.verdict,
          failed: true,
          sentence: `${r0.verdict.sentence} — ${but}`,
        };
  const firsts = replicas.map((r) => r.firstEvents);
  return { ...r0, verdict, robustness: summarizeRobustness(outcomes, firsts) };
}
