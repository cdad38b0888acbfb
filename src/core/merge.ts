import { DataError } from '../config/errors.js';
import type { CompareReport } from '../report/compare-report.js';
import { readReport } from '../report/read-report.js';
import { buildGrid } from './cell.js';
import { assembleCompareReport } from './compare.js';

function readShard(file: string): CompareReport {
  const r = readReport(file);
  if (r.command !== 'compare-activations') throw new DataError('not a compare-activations JSON report', { file });
  return r;
}

/** Combines shard reports into the table and exit code one unsharded run would give. */
export function mergeShards(files: string[]): CompareReport {
  const shards = files.map(readShard);
  const first = shards[0]!;
  const same = (r: CompareReport) =>
    r.configHash === first.configHash &&
    JSON.stringify([r.activations, r.layers, r.seeds, r.failOn ?? null, r.expectHealthy]) ===
      JSON.stringify([first.activations, first.layers, first.seeds, first.failOn ?? null, first.expectHealthy]);
  shards.forEach((r, i) => {
    if (!same(r))
      throw new DataError('this shard comes from another comparison (config, activations, layers, seeds or verdict options differ)', {
        file: files[i],
      });
  });
  const byIndex = new Map<number, CompareReport['cells'][number]>();
  for (const r of shards) for (const c of r.cells) byIndex.set(c.index, c);
  const grid = buildGrid(first.activations, first.seeds);
  const missing = grid.filter((c) => !byIndex.has(c.index));
  if (missing.length) {
    throw new DataError(`the shards do not cover the grid: missing ${missing.map((c) => `${c.variant} seed ${c.seed}`).join(', ')}`, {
      file: files.join(', '),
    });
  }
  const cells = grid.map((c) => byIndex.get(c.index)!);
  const wall = Math.max(...shards.map((s) => s.timing.wallSeconds));
  const cellSeconds = cells.reduce((s, c) => s + c.seconds, 0);
  return assembleCompareReport({
    base: first.config,
    file: first.configFile,
    hash: first.configHash!, // comparisons always hash their config
    activations: first.activations,
    layers: first.layers,
    seeds: first.seeds,
    failOn: first.failOn,
    expectHealthy: first.expectHealthy,
    cells,
    timing: {
      wallSeconds: wall,
      cellSeconds,
      speedup: wall > 0 ? cellSeconds / wall : 1,
      workers: shards.reduce((s, r) => s + r.timing.workers, 0),
    },
    startedAt: shards.map((s) => s.startedAt).sort()[0]!,
    status: shards.some((s) => s.status === 'interrupted') ? 'interrupted' : 'completed',
  });
}
