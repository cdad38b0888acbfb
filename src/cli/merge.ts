import type { Command } from 'commander';
import { UsageError } from '../config/errors.js';
import { renderCompareTerminal } from '../report/compare-terminal.js';
import { terminalPalette } from './tty.js';
import { terminalWidth } from '../report/fit.js';
import { emitOutputs } from './outputs.js';
import { defineCommand, optionsSchema, OUTPUT_FLAGS, pick } from './flags.js';

const MERGE_FLAGS = pick([...OUTPUT_FLAGS, 'quiet'], { json: 'write the merged comparison as JSON' });
export const MergeOptionsSchema = optionsSchema(MERGE_FLAGS);

/** `critic-doctor merge a.json b.json ...` */
export function mergeCommand(): Command {
  return defineCommand('merge', MERGE_FLAGS, MergeOptionsSchema, async (files: string[], opts) => {
    if (files.length === 0) throw new UsageError('merge: give at least one report');
    const { mergeShards } = await import('../core/merge.js');
    const report = mergeShards(files);
    emitOutputs(report, opts);
    process.stdout.write(renderCompareTerminal(report, { palette: terminalPalette(), quiet: opts.quiet, width: terminalWidth() }));
    process.exitCode = report.verdict.failed ? 1 : 0;
  });
}
