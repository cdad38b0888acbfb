import { Command } from 'commander';
import { z } from 'zod';
import { DataError, UsageError } from '../config/errors.js';
import { assembleCompareReport } from '../core/compare.js';
import type { CompareReport } from '../report/compare-report.js';
import { buildGrid } from '../core/cell.js';
import { renderCompareTerminal } from '../report/compare-terminal.js';
import { parseOptions } from './options.js';
import { readReport } from './read-report.js';
import { terminalPalette } from './tty.js';
import { terminalWidth } from '../report/fit.js';
import { emitOutputs, OutputFlags } from './outputs.js';

export const MergeOptionsSchema = z.strictObject({
  ...OutputFlags,
  quiet: z.boolean().default(false),
  debug: z.boolean().default(false),
});

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
    hash: first.configHash,
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

/** `critic-doctor merge a.json b.json ...` */
export function mergeCommand(): Command {
  return new Command('merge')
    .description('combine compare-activations shard reports (--shard i/n) into one table and exit code')
    .argument('<reports...>', 'JSON reports written by compare-activations --shard i/n --json')
    .option('--json <file>', 'write the merged comparison as JSON')
    .option('--junit <file>', 'write JUnit XML of the merged comparison')
    .option('--html <file>', 'write a self-contained HTML report with charts')
    .option('--markdown <file>', 'write a Markdown summary')
    .option('-q, --quiet', 'print only the verdict')
    .option('--debug', 'show stack traces of internal errors')
    .addHelpText('after', '\nExample:\n  $ critic-doctor merge shard-1.json shard-2.json --json all.json')
    .action((files: string[], raw: Record<string, unknown>) => {
      const opts = parseOptions(MergeOptionsSchema, raw);
      if (files.length === 0) throw new UsageError('merge: give at least one report');
      const report = mergeShards(files);
      emitOutputs(report, opts);
      process.stdout.write(renderCompareTerminal(report, { palette: terminalPalette(), quiet: opts.quiet, width: terminalWidth() }));
      process.exitCode = report.verdict.failed ? 1 : 0;
    });
}
