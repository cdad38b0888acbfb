import { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../model/load-config-with-model.js';
import { lintConfig } from '../diagnose/lint.js';
import { parseOptions } from './options.js';
import { terminalPalette } from './tty.js';

export const LintOptionsSchema = z.strictObject({ json: z.boolean().default(false), debug: z.boolean().default(false) });

/** `critic-doctor lint CONFIG`: static warnings, with the config line, why each matters and the remedy to test. */
export function lintCommand(): Command {
  return new Command('lint')
    .description('check a config for settings known to cause or hide trouble (also run before every `run`)')
    .argument('<config>', 'YAML or JSON config file')
    .option('--json', 'print the findings as JSON')
    .option('--debug', 'show stack traces of internal errors')
    .addHelpText('after', '\nExample:\n  $ critic-doctor lint configs/seed-critic-relu.yaml')
    .action(async (file: string, raw: Record<string, unknown>) => {
      const opts = parseOptions(LintOptionsSchema, raw);
      const loaded = await loadConfig(file);
      const findings = lintConfig(loaded);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
        return;
      }
      const p = terminalPalette();
      if (findings.length === 0) process.stdout.write(`${p.success('✔')} ${file}: nothing to report\n`);
      for (const f of findings) {
        const mark = f.severity === 'warning' ? p.warn('warning') : p.info('info');
        process.stdout.write(
          `${file}${f.line !== undefined ? `:${f.line}` : ''}: ${mark} ${f.message} [${f.rule}]\n` +
            `  ${p.dim(f.why)}\n  ${p.dim(`remedy to test: ${f.remedy} (critic-doctor treat)`)}\n`,
        );
      }
    });
}
