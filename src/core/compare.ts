import type { ActivationNameT, Config, FailOnT } from '../config/schema.js';
import { activationVariant } from '../diagnose/activation-variant.js';
import type { CellResult } from '../diagnose/cell-result.js';
import { decideCompareVerdict, summarizeCells } from '../diagnose/compare-summary.js';
import type { CompareReport } from '../report/compare-report.js';
import { reportHeader } from '../report/report-header.js';
import { buildGrid, shardCells } from './cell.js';
import { runVariants, type VariantRunOptions } from './variant-runs.js';

export interface CompareOptions extends VariantRunOptions {
  activations: ActivationNameT[];
  layers: string[];
  seeds: number[];
  steps?: number;
  failOn?: FailOnT;
  expectHealthy?: ActivationNameT[];
  shard?: { index: number; count: number };
  now?: () => Date;
}

/**
 * `critic-doctor compare-activations`: the config once per activation × seed, with only the
 * chosen layers' activation changed, runs in parallel; returns the per-activation table.
 */
export async function compareActivations(opts: CompareOptions): Promise<CompareReport> {
  const startedAt = (opts.now ?? (() => new Date()))().toISOString();
  const base: Config = { ...opts.loaded.config, steps: opts.steps ?? opts.loaded.config.steps };
  const variants = Object.fromEntries(opts.activations.map((a) => [a, activationVariant(base, opts.layers, a, base.seed)]));
  const grid = buildGrid(opts.activations, opts.seeds);
  const cells = opts.shard ? shardCells(grid, opts.shard.index, opts.shard.count) : grid;
  const t0 = performance.now();
  const { results, workers } = await runVariants(opts, { variants, layers: opts.layers, failOn: opts.failOn }, cells);
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

/** What a comparison report is built from: its cells and the options that chose them. */
export interface CompareParts {
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
}

/** Builds the table and verdict from cells (also what `merge` does with the shards' cells). */
export function assembleCompareReport(a: CompareParts): CompareReport {
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
