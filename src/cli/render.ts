import type { Command } from 'commander';
import { UsageError } from '../config/errors.js';
import { defineCommand, optionsSchema, OUTPUT_FLAGS, pick } from './flags.js';
import { emitOutputs } from './outputs.js';

const RENDER_FLAGS = pick(OUTPUT_FLAGS, {
  html: 'write the HTML report',
  markdown: 'write the Markdown summary',
  json: 'write the JSON again (normalised)',
});
export const RenderOptionsSchema = optionsSchema(RENDER_FLAGS);

/** `critic-doctor render report.json --html out.html`: other formats from a saved report, without training. */
export function renderCommand(): Command {
  return defineCommand('render', RENDER_FLAGS, RenderOptionsSchema, async (file: string, opts) => {
    if (!opts.html && !opts.markdown && !opts.junit && !opts.json)
      throw new UsageError('render: name at least one of --html, --markdown, --junit, --json');
    const { readReport } = await import('../report/read-report.js');
    emitOutputs(readReport(file), opts, {});
  });
}
