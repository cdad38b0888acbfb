import type { CellResult } from '../diagnose/cell-result.js';
import type { RunReport } from '../report/run-report.js';
import { configHash } from '../config/load-config.js';
import { runPool, workersAvailable } from '../sweep/pool.js';
import { mean } from '../util/stats.js';
import { buildCriticSpec } from '../model/critic.js';
import { cellName, type Cell, type CellJob } from './cell.js';
import { replicaOptions, replicaResult, withRobustness } from './replicas.js';
import { runDiagnoses } from './run-diagnoses.js';
import type { RunOptions } from './run-options.js';

/** The worker script that runs cells (compiled code only: from TypeScript sources cells run in this thread). */
const CELL_WORKER = new URL('./cell-worker.js', import.meta.url);

/** Chart points kept per cell. */
const SERIES_POINTS = 200;

/** Whether cells can go to worker threads here (compiled code; not from TypeScript sources). */
export function cellWorkersAvailable(): boolean {
  return workersAvailable(CELL_WORKER);
}

/** One cell of a job to run, as the pool sends it to a worker. */
export interface CellTask {
  job: CellJob;
  cell: Cell;
}

/**
 * Runs one cell and its replicas (job.replicas) as one ensemble in this thread
 * (train/ensemble.ts): the cell's result is the one its lone run gives, timing aside.
 */
export async function runCell({ job, cell }: CellTask, signal?: AbortSignal): Promise<CellResult> {
  const k = Math.max(1, job.replicas ?? 1);
  const group = await runDiagnoses(replicaOptions(cellOptions(job, cell, signal), k));
  // A cell costs what its replicas cost together.
  const seconds = group.reduce((t, r) => t + r.timing.seconds, 0);
  return { ...summarizeCell(cell, job, k > 1 ? withRobustness(group[0]!, group.map(replicaResult)) : group[0]!), seconds };
}

export interface CellsArgs {
  job: CellJob;
  cells: readonly Cell[];
  /** Workers to use; default: one per core. */
  concurrency?: number;
  /** Use worker threads even for one worker. */
  threads?: boolean;
  onCellDone?: (r: CellResult, done: number, total: number) => void;
  /** Aborting stops the runs in progress after their current step (status interrupted); no further cell starts. */
  signal?: AbortSignal;
}

/**
 * Runs independent cells, in parallel on worker threads (sweep/pool.ts), each with its own tfjs
 * backend, or in this thread for one worker or from TypeScript sources. Results in grid order.
 */
export async function runCells(args: CellsArgs): Promise<{ results: CellResult[]; workers: number }> {
  return runPool<CellTask, CellResult>({
    jobs: args.cells.map((cell) => ({ job: args.job, cell })),
    workerUrl: CELL_WORKER,
    runHere: runCell,
    concurrency: args.concurrency ?? (worthThreads(args.job, args.cells) ? undefined : 1),
    threads: args.threads,
    onResult: args.onCellDone,
    signal: args.signal,
    describe: (t) => `run ${cellName(t.cell)}`,
  });
}

/**
 * Whether the cells' training is worth worker threads: each thread first loads tfjs and the
 * engine (~0.8 s of a core), so a grid of a second or two of training — a few short runs — runs
 * sooner in this thread. The estimate is rough by design: a step costs at least ~0.5 ms (dispatch)
 * or its products at ~5 GFLOP/s; past 2 s of it, threads pay. `--workers` overrides it.
 */
function worthThreads(job: CellJob, cells: readonly Cell[]): boolean {
  let seconds = 0;
  for (const cell of cells) {
    const c = job.variants[cell.variant]!;
    // Every critic's parameters (twin heads included), as the run will build them.
    const params = buildCriticSpec(c).paramShapes.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
    const flops = 6 * c.batchSize * params * (job.replicas ?? 1);
    seconds += c.steps * Math.max(5e-4, flops / 5e9);
  }
  return seconds > 2;
}

function cellOptions(job: CellJob, cell: Cell, signal?: AbortSignal): RunOptions {
  const config = { ...job.variants[cell.variant]!, seed: cell.seed };
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
      maxGradNorm: Math.max(...p.layers.flatMap((l) => (l.gradNorm === null ? [] : [l.gradNorm]))),
    }));
  return {
    ...cell,
    worst: r.verdict.worst,
    firstEvents: r.firstEvents,
    // A cell is a critic-doctor run: its budget is always known.
    stepsRequested: r.stepsRequested ?? r.stepsRun,
    stepsRun: r.stepsRun,
    maxAbsActivation,
    finalLoss: last?.loss ?? NaN,
    deadFraction: mean(lastLayers.map((l) => l.deadFraction)),
    saturatedFraction: mean(lastLayers.map((l) => l.saturatedFraction)),
    series,
    seconds: r.timing.seconds,
    backend: r.environment.backend,
    findings: r.findings.map((f) => ({ rule: f.rule, label: f.label, cause: f.cause, layer: f.layer, firstStep: f.firstStep })),
    status: r.status,
    failed: r.verdict.failed,
    ...(r.robustness
      ? { robustness: { class: r.robustness.class, sentence: r.robustness.sentence, replicas: r.robustness.replicas } }
      : {}),
  };
}
