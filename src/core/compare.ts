import type { LoadedConfig } from '../config/load-config.js';
import { z } from 'zod';
import { Float } from '../watch/float-schema.js';
import { ActivationName, FailOn, type ActivationNameT, type Config, type FailOnT } from '../config/schema.js';
import { runCells } from '../sweep/pool.js';
import { CellResultSchema, type CellResult } from '../sweep/cell-result.js';
import { buildGrid, shardCells } from '../sweep/grid.js';
import { ActivationRowSchema, CompareVerdictSchema, decideCompareVerdict, summarizeCells } from '../diagnose/compare-summary.js';
import { reportHeader, reportHeaderSchema } from '../report/report-header.js';
import type { BackendChoice } from '../train/backend.js';

export interface CompareOptions {
  loaded: LoadedConfig;
  activations: ActivationNameT[];
  layers: string[];
  seeds: number[];
  steps?: number;
  failOn?: FailOnT;
  expectHealthy?: ActivationNameT[];
  shard?: { index: number; count: number };
  backend?: BackendChoice;
  concurrency?: number;
  /** Each cell with this many replicas nudged at float32 rounding level (robustness per cell). */
  replicas?: number;
  onCellDone?: (r: CellResult, done: number, total: number) => void;
  signal?: AbortSignal;
  now?: () => Date;
}

/** Everything a comparison (or one shard of it) found, as plain data. */
/** Its `config` is the one the variants start from (steps override applied; activations and seeds vary). */
export const CompareReportSchema = reportHeaderSchema('compare-activations').extend({
  activations: z.array(ActivationName),
  layers: z.array(z.string()),
  seeds: z.array(z.int()),
  /** Absent for a whole run; shard reports carry it, and `merge` checks them against each other. */
  shard: z.object({ index: z.int(), count: z.int() }).optional(),
  failOn: FailOn.optional(),
  expectHealthy: z.array(ActivationName),
  cells: z.array(CellResultSchema),
  rows: z.array(ActivationRowSchema),
  verdict: CompareVerdictSchema,
  timing: z.object({ wallSeconds: Float, cellSeconds: Float, speedup: Float, workers: z.int() }),
  startedAt: z.string(),
  /** interrupted: a signal stopped it; the cells that ran (the last ones partly) are all there is. */
  status: z.enum(['completed', 'interrupted']).default('completed'),
});
export type CompareReport = z.infer<typeof CompareReportSchema>;

/**
 * `critic-doctor compare-activations`: the config once per activation × seed, with only the
 * chosen layers' activation changed, runs in parallel; returns the per-activation table.
 */
export async function compareActivations(opts: CompareOptions): Promise<CompareReport> {
  const startedAt = (opts.now ?? (() => new Date()))().toISOString();
  const base: Config = { ...opts.loaded.config, steps: opts.steps ?? opts.loaded.config.steps };
  const grid = buildGrid(opts.activations, opts.seeds);
  const cells = opts.shard ? shardCells(grid, opts.shard.index, opts.shard.count) : grid;
  const t0 = performance.now();
  const { results, workers } = await runCells({
    job: {
      config: base,
      file: opts.loaded.file,
      layers: opts.layers,
      failOn: opts.failOn,
      backend: opts.backend ?? 'auto',
      replicas: opts.replicas,
    },
    cells,
    concurrency: opts.concurrency,
    onCellDone: opts.onCellDone,
    signal: opts.signal,
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  const cellSeconds = results.reduce((s, c) => s + c.seconds, 0);
  return assembleCompareReport({
    base,
    file: opts.loaded.file,
    hash: opts.loaded.hash,
    activations: opts.activations,
    layers: opts.layers,
    seeds: opts.seeds,
    shard: opts.shard,
    failOn: opts.failOn,
    expectHealthy: opts.expectHealthy ?? [],
    cells: results,
    timing: { wallSeconds, cellSeconds, speedup: wallSeconds > 0 ? cellSeconds / wallSeconds : 1, workers },
    startedAt,
    status: opts.signal?.aborted ? 'interrupted' : 'completed',
  });
}

/** Builds the table and verdict from cells (also what `merge` does with the shards' cells). */
export function assembleCompareReport(a: {
  base: Config;
  file: string;
  hash: string;
  activations: ActivationNameT[];
  layers: string[];
  seeds: number[];
  shard?: { index: number; count: number };
  failOn?: FailOnT;
  expectHealthy: ActivationNameT[];
  cells: CellResult[];
  timing: CompareReport['timing'];
  startedAt: string;
  status?: CompareReport['status'];
}): CompareReport {
  const rows = summarizeCells(a.cells, a.activations);
  return {
    ...reportHeader('compare-activations', { file: a.file, hash: a.hash }, a.base),
    activations: a.activations,
    layers: a.layers,
    seeds: a.seeds,
    ...(a.shard ? { shard: a.shard } : {}),
    ...(a.failOn ? { failOn: a.failOn } : {}),
    expectHealthy: a.expectHealthy,
    cells: a.cells,
    rows,
    verdict: decideCompareVerdict(rows, a.cells, a.failOn, a.expectHealthy, a.base.watch.failOn),
    timing: a.timing,
    startedAt: a.startedAt,
    status: a.status ?? 'completed',
  };
}
