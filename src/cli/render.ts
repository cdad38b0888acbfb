import { Command } from 'commander';
import { UsageError } from '../config/errors.js';
import { addFlags, flagNames, optionsSchema, OUTPUT_FLAGS, pick } from './flags.js';
import { parseOptions } from './options.js';
import { emitOutputs } from './outputs.js';

const RENDER_FLAGS = pick(OUTPUT_FLAGS, {
  html: 'write the HTML report',
  markdown: 'write the Markdown summary',
  json: 'write the JSON again (normalised)',
});
export const RenderOptionsSchema = optionsSchema(RENDER_FLAGS);

/** `critic-doctor render report.json --html out.html`: other formats from a saved report, without training. */
export function renderCommand(): Command {
  return addFlags(new Command('render'), RENDER_FLAGS)
    .description('turn a saved JSON report into HTML, Markdown or JUnit without re-training')
    .argument('<report>', 'a JSON report written with --json')
    .addHelpText('after', '\nExample:\n  $ critic-doctor render report.json --html report.html --junit report.xml')
    .action(async (file: string, raw: Record<string, unknown>) => {
      const opts = parseOptions(RenderOptionsSchema, raw, flagNames(RENDER_FLAGS));
      if (!opts.html && !opts.markdown && !opts.junit && !opts.json)
        throw new UsageError('render: name at least one of --html, --markdown, --junit, --json');
      const { readReport } = await import('../report/read-report.js');
      emitOutputs(readReport(file), opts, {});
    });
}
