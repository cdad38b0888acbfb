import { availableParallelism } from 'node:os';
import type { RunReport } from '../report/run-report.js';
import { runCells, cellWorkersAvailable } from './cells.js';
import { replicaOptions, replicaResult, withRobustness, type ReplicaResult } from './replicas.js';
import { runDiagnoses } from './run-diagnoses.js';
import { resolveRunConfig, type RunOptions } from './run-options.js';

/**
 * `critic-doctor run`: builds the critic, trains it with the watchdog on, and returns the report.
 * With `replicas` > 1 the run is trained together with replicas nudged at float32 rounding level
 * (model/ulp-nudge.ts), and the report says whether its diagnosis is robust.
 * Never prints and never exits; the caller renders the report and sets the exit code.
 */
export async function runDiagnosis(opts: RunOptions): Promise<RunReport> {
  const k = opts.replicas ?? 1;
  if (k <= 1) return (await runDiagnoses([opts]))[0]!;
  // Lockstep does not make a run cheaper here (docs/performance.md), other cores do: the replicas
  // beyond this thread's share go to worker threads — unless faults are planted (functions do not
  // cross threads), there is one core, or no worker script (TypeScript sources). Never a second
  // training loop in this thread: two interleaved runs share tfjs's engine.
  const cores = opts.plant || !cellWorkersAvailable() ? 1 : (opts.cores ?? availableParallelism());
  const here = Math.max(1, Math.ceil(k / Math.max(1, cores)));
  const [reports, away] = await Promise.all([runDiagnoses(replicaOptions(opts, here)), replicasElsewhere(opts, here, k, cores - 1)]);
  return withRobustness(reports[0]!, [...reports.map(replicaResult), ...away]);
}

/** Replicas from..k−1 of a run on `workers` worker threads, as replica results. */
async function replicasElsewhere(opts: RunOptions, from: number, k: number, workers: number): Promise<ReplicaResult[]> {
  if (from >= k) return [];
  const config = resolveRunConfig(opts);
  const cells = Array.from({ length: k - from }, (_, i) => ({ index: from + i, variant: 'run', seed: config.seed, replica: from + i }));
  const { results } = await runCells({
    job: { variants: { run: config }, file: opts.loaded.file, layers: [], failOn: opts.failOn, backend: opts.backend ?? 'auto' },
    cells,
    concurrency: workers,
    threads: true,
    signal: opts.signal,
  });
  return results.map((c) => ({ firstEvents: c.firstEvents, worst: c.worst, failed: c.failed ?? false, stepsRun: c.stepsRun }));
}
