import { Command } from 'commander';
import { UsageError } from '../config/errors.js';
import { renderCompareTerminal } from '../report/compare-terminal.js';
import { parseOptions } from './options.js';
import { terminalPalette } from './tty.js';
import { terminalWidth } from '../report/fit.js';
import { emitOutputs } from './outputs.js';
import { addFlags, flagNames, optionsSchema, OUTPUT_FLAGS, pick } from './flags.js';

const MERGE_FLAGS = pick([...OUTPUT_FLAGS, 'quiet'], { json: 'write the merged comparison as JSON' });
export const MergeOptionsSchema = optionsSchema(MERGE_FLAGS);

/** `critic-doctor merge a.json b.json ...` */
export function mergeCommand(): Command {
  return addFlags(new Command('merge'), MERGE_FLAGS)
    .description('combine compare-activations shard reports (--shard i/n) into one table and exit code')
    .argument('<reports...>', 'JSON reports written by compare-activations --shard i/n --json')
    .addHelpText('after', '\nExample:\n  $ critic-doctor merge shard-1.json shard-2.json --json all.json')
    .action(async (files: string[], raw: Record<string, unknown>) => {
      const opts = parseOptions(MergeOptionsSchema, raw, flagNames(MERGE_FLAGS));
      if (files.length === 0) throw new UsageError('merge: give at least one report');
      const { mergeShards } = await import('../core/merge.js');
      const report = mergeShards(files);
      emitOutputs(report, opts);
      process.stdout.write(renderCompareTerminal(report, { palette: terminalPalette(), quiet: opts.quiet, width: terminalWidth() }));
      process.exitCode = report.verdict.failed ? 1 : 0;
    });
}
