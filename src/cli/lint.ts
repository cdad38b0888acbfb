import { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../model/load-config-with-model.js';
import { renderLintText } from '../report/lint-text.js';
import { addFlags, flag, flagNames, optionsSchema } from './flags.js';
import { parseOptions } from './options.js';
import { terminalPalette } from './tty.js';

const LINT_FLAGS = { json: flag('--json', 'print the findings as JSON', z.boolean().default(false)) };
export const LintOptionsSchema = optionsSchema(LINT_FLAGS);

/** `critic-doctor lint CONFIG`: static warnings, with the config line, why each matters and the remedy to test. */
export function lintCommand(): Command {
  return addFlags(new Command('lint'), LINT_FLAGS)
    .description('check a config for settings known to cause or hide trouble (also run before every `run`)')
    .argument('<config>', 'YAML or JSON config file')
    .addHelpText('after', '\nExample:\n  $ critic-doctor lint configs/seed-critic-relu.yaml')
    .action(async (file: string, raw: Record<string, unknown>) => {
      const opts = parseOptions(LintOptionsSchema, raw, flagNames(LINT_FLAGS));
      const loaded = await loadConfig(file);
      const { lintConfig } = await import('../diagnose/lint.js');
      const findings = lintConfig(loaded);
      process.stdout.write(opts.json ? `${JSON.stringify(findings, null, 2)}\n` : renderLintText(file, findings, terminalPalette()));
    });
}
