import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../model/load-config-with-model.js';
import { renderLintText } from '../report/lint-text.js';
import { defineCommand, flag, optionsSchema } from './flags.js';
import { terminalPalette } from './tty.js';

const LINT_FLAGS = { json: flag('--json', 'print the findings as JSON', z.boolean().default(false)) };
export const LintOptionsSchema = optionsSchema(LINT_FLAGS);

/** `critic-doctor lint CONFIG`: static warnings, with the config line, why each matters and the remedy to test. */
export function lintCommand(): Command {
  return defineCommand('lint', LINT_FLAGS, LintOptionsSchema, async (file: string, opts) => {
    const loaded = await loadConfig(file);
    const { lintConfig } = await import('../diagnose/lint.js');
    const findings = lintConfig(loaded);
    process.stdout.write(opts.json ? `${JSON.stringify(findings, null, 2)}\n` : renderLintText(file, findings, terminalPalette()));
  });
}
