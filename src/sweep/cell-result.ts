import type { LoadedConfig } from '../config/load-config.js';
import { configHash } from '../config/load-config.js';
import { z } from 'zod';
import { Float } from '../watch/float-schema.js';
import { ActivationName, type Config, type FailOnT } from '../config/schema.js';
import { runDiagnoses, type RunOptions } from '../core/run.js';
import { replicaOptions, replicaResult, withRobustness } from '../core/replicas.js';
import type { RunReport } from '../report/run-report.js';
import { RobustnessSchema } from '../diagnose/robustness.js';
import type { BackendChoice } from '../train/backend.js';
import { EventKindSchema, FirstEventsSchema } from '../watch/events.js';
import type { Cell } from './grid.js';
import { activationVariant } from './variant.js';
import { RunStatusSchema } from '../report/run-report.js';

/** What a comparison keeps of one run (the full run report would repeat the history N times). */
export const CellResultSchema = z.object({
  index: z.int(),
  activation: ActivationName,
  seed: z.int(),
  variant: z.string().optional(),
  worst: EventKindSchema.nullable(),
  firstEvents: FirstEventsSchema,
  stepsRequested: z.int(),
  stepsRun: z.int(),
  /** Largest max |activation| over the run's history, any layer. */
  maxAbsActivation: Float,
  finalLoss: Float,
  /** Mean over the compared layers at the last step (null when the activation has no such notion). */
  deadFraction: Float.nullable(),
  saturatedFraction: Float.nullable(),
  /** A thinned history for charts: step, loss, max |activation| and max gradient norm over layers. */
  series: z.array(z.object({ step: z.int(), loss: Float, maxAbsActivation: Float, maxGradNorm: Float })),
  seconds: Float,
  backend: z.string(),
  /** The run's findings (silent failures), in brief. */
  findings: z.array(z.object({ rule: z.string(), layer: z.string().nullable(), firstStep: z.int() })).default([]),
  /** As the run's: completed, stopped (NaN, stopOnNaN), interrupted (by a signal), error. */
  status: RunStatusSchema.default('completed'),
  /** Whether the run failed under failOn (its verdict), as `run` would exit. */
  failed: z.boolean().optional(),
  /** With --replicas: whether this cell's diagnosis survives one-ulp nudges of its initial parameters. */
  robustness: RobustnessSchema.pick({ class: true, sentence: true, replicas: true }).optional(),
});
export type CellResult = z.infer<typeof CellResultSchema>;

/** What a worker needs to run a cell: plain data (structured-clone safe). */
export interface CellJob {
  config: LoadedConfig['config'];
  file: string;
  layers: string[];
  failOn?: FailOnT;
  backend: BackendChoice;
  /** Named whole-config variants (treat): a cell with `variant` runs that config with its seed. */
  variants?: Record<string, Config>;
  /** Each cell trained with this many replicas (core/run.ts `replicaOptions`); default 1. */
  replicas?: number;
}

/** Chart points kept per cell. */
const SERIES_POINTS = 200;

/** Runs one cell of the grid, in this thread. */
export async function runCell(job: CellJob, cell: Cell, signal?: AbortSignal): Promise<CellResult> {
  return (await runCellGroup(job, [cell], signal))[0]!;
}

/**
 * Runs cells of the grid (with their replicas) as one ensemble in this thread (train/ensemble.ts):
 * each cell's result is the one its lone run gives, timing aside.
 */
export async function runCellGroup(job: CellJob, cells: readonly Cell[], signal?: AbortSignal): Promise<CellResult[]> {
  const k = Math.max(1, job.replicas ?? 1);
  const reports = await runDiagnoses(cells.flatMap((cell) => replicaOptions(cellOptions(job, cell, signal), k)));
  return cells.map((cell, i) => {
    const group = reports.slice(i * k, (i + 1) * k);
    // A cell costs what its replicas cost together.
    const seconds = group.reduce((t, r) => t + r.timing.seconds, 0);
    return { ...summarizeCell(cell, job, k > 1 ? withRobustness(group[0]!, group.map(replicaResult)) : group[0]!), seconds };
  });
}

function cellOptions(job: CellJob, cell: Cell, signal?: AbortSignal): RunOptions {
  const config =
    cell.variant && job.variants
      ? { ...job.variants[cell.variant]!, seed: cell.seed }
      : activationVariant(job.config, job.layers, cell.activation, cell.seed);
  return {
    loaded: { config, file: job.file, hash: configHash(config) },
    backend: job.backend,
    failOn: job.failOn,
    signal,
    ...(cell.replica ? { replica: cell.replica } : {}),
  };
}

/** What a comparison keeps of a cell's run report. */
function summarizeCell(cell: Cell, job: CellJob, r: RunReport): CellResult {
  const compared = new Set(job.layers);
  const last = r.tables.last;
  const lastLayers = last?.layers.filter((l) => compared.has(l.layer)) ?? [];
  const mean = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
  };
  let maxAbsActivation = 0;
  for (const p of r.history.points)
    for (const l of p.layers) if (l.maxAbsActivation > maxAbsActivation) maxAbsActivation = l.maxAbsActivation;
  const points = r.history.points;
  const every = Math.max(1, Math.ceil(points.length / SERIES_POINTS));
  const series = points
    .filter((_, i) => i % every === 0 || i === points.length - 1)
    .map((p) => ({
      step: p.step,
      loss: p.loss,
      maxAbsActivation: Math.max(...p.layers.map((l) => l.maxAbsActivation)),
      maxGradNorm: Math.max(...p.layers.map((l) => l.gradNorm)),
    }));
  return {
    ...cell,
    worst: r.verdict.worst,
    firstEvents: r.firstEvents,
    stepsRequested: r.stepsRequested,
    stepsRun: r.stepsRun,
    maxAbsActivation,
    finalLoss: last?.loss ?? NaN,
    deadFraction: mean(lastLayers.map((l) => l.deadFraction)),
    saturatedFraction: mean(lastLayers.map((l) => l.saturatedFraction)),
    series,
    seconds: r.timing.seconds,
    backend: r.environment.backend,
    findings: r.findings.map((f) => ({ rule: f.rule, layer: f.layer, firstStep: f.firstStep })),
    status: r.status,
    failed: r.verdict.failed,
    ...(r.robustness
      ? { robustness: { class: r.robustness.class, sentence: r.robustness.sentence, replicas: r.robustness.replicas } }
      : {}),
  };
}
