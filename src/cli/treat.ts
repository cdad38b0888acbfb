import { Command, Option } from 'commander';
import { fmt } from '../util/number-format.js';
import { stringify } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../config/errors.js';
import { loadConfig } from '../model/load-config-with-model.js';
import { FAIL_ON } from '../config/schema.js';

import { renderTreatTerminal } from '../report/treat-render.js';
import { BACKEND_CHOICES } from '../train/backend.js';
import { treat } from '../core/treat.js';
import { getRemedy, REMEDIES } from '../diagnose/remedies.js';
import { intFlag, listFlag, MAX_REPLICAS, parseOptions, resolveSeeds } from './options.js';
import { emitOutputs, OutputFlags } from './outputs.js';
import { signalExitCode, withSignals } from './signals.js';
import { terminalPalette } from './tty.js';
import { terminalWidth } from '../report/fit.js';
import { writeOutputFile } from './write-output.js';

export const TreatOptionsSchema = z.strictObject({
  remedies: listFlag.optional(),
  seeds: intFlag(1).optional(),
  seedList: listFlag.optional(),
  steps: intFlag(1).optional(),
  combine: z.enum(['1', '2']).default('1'),
  target: z.enum(['event', 'finding']).default('event'),
  failOn: z.enum(FAIL_ON).optional(),
  writeFixed: z.string().min(1).optional(),
  ...OutputFlags,
  workers: intFlag(1).optional(),
  replicas: intFlag(1, MAX_REPLICAS).optional(),
  backend: z.enum(BACKEND_CHOICES).default('auto'),
  quiet: z.boolean().default(false),
  debug: z.boolean().default(false),
});

/** `critic-doctor treat CONFIG`: which remedies actually cure the failure. */
export function treatCommand(): Command {
  return new Command('treat')
    .description('run the failing config, then each remedy as a one-change variant on the same data and seeds, and report which cure it')
    .argument('<config>', 'YAML or JSON config file (its run must fail)')
    .option('--remedies <list>', `comma-separated, of: ${REMEDIES.map((r) => r.name).join(', ')} (default: every one that applies)`)
    .option('--seeds <n>', "n seeds: the config's seed and the n − 1 after it (default 3)")
    .option('--seed-list <list>', 'explicit seeds, e.g. 1,2,3')
    .option('--steps <n>', "override the config's steps (remedies run at least twice the baseline's failure step)")
    .addOption(new Option('--combine <k>', 'also try every pair of remedies').choices(['1', '2']).default('1'))
    .addOption(
      new Option('--target <what>', "what to cure: the run's NaN/Inf/explosion, or also its findings (a saturated layer, ...)")
        .choices(['event', 'finding'])
        .default('event'),
    )
    .addOption(new Option('--fail-on <event>', "what counts as failing (default: the config's watch.failOn)").choices(FAIL_ON))
    .option('--write-fixed <file>', 'write the config with the best cure applied (YAML, with a comment naming the remedy and the evidence)')
    .option('--json <file>', 'write the treatment report as JSON')
    .option('--junit <file>', 'write JUnit XML: one test case per remedy')
    .option('--markdown <file>', 'write a Markdown summary')
    .option('--html <file>', 'write a self-contained HTML page of the table and verdict')
    .option('--replicas <k>', 'train each run with k−1 replicas nudged by one float32 ulp, and say per run whether its diagnosis is robust')
    .option('--workers <n>', 'parallel runs (default: one per core)')
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend').choices(BACKEND_CHOICES).default('auto'))
    .option('-q, --quiet', 'print only the verdict')
    .option('--debug', 'show stack traces of internal errors')
    .addHelpText(
      'after',
      '\nExamples:\n  $ critic-doctor treat configs/nan-sgd-relu.yaml --seeds 2 --write-fixed fixed.yaml\n  $ critic-doctor treat ' +
        'configs/seed-critic-relu.yaml --remedies he-init,bias-0,g-0.5,gamma-0.99',
    )
    .action(async (configPath: string, raw: Record<string, unknown>) => {
      const opts = parseOptions(TreatOptionsSchema, raw);
      const loaded = await loadConfig(configPath);
      for (const r of opts.remedies ?? []) {
        if (!getRemedy(r))
          throw new UsageError(`--remedies: unknown remedy "${r}"; valid: ${REMEDIES.map((x) => x.name).join(', ')}`, {
            path: '--remedies',
          });
      }
      const seeds = resolveSeeds(opts, loaded.config.seed);
      const { value: report, received } = await withSignals((signal) =>
        treat({
          loaded,
          seeds,
          remedies: opts.remedies,
          combine: opts.combine === '2' ? 2 : 1,
          target: opts.target,
          steps: opts.steps,
          failOn: opts.failOn,
          backend: opts.backend,
          concurrency: opts.workers,
          replicas: opts.replicas,
          signal,
        }),
      );
      emitOutputs(report, opts);
      if (opts.writeFixed && report.best) {
        const best = report.rows.find((r) => r.remedy === report.best)!;
        const names = best.remedy.split('+');
        let fixed = loaded.config;
        for (const n of names) fixed = getRemedy(n)!.transform(fixed);
        const header =
          `# Written by critic-doctor treat from ${configPath}: remedy ${best.remedy} (${best.description}).\n` +
          `# Evidence: cured ${best.cured}/${best.runs} seeds (${seeds.join(', ')}) over ${report.remedySteps} steps; the baseline ` +
          `failed ${report.baseline.failed}/${report.baseline.runs} (median step ${fmt(report.baseline.failStep)}); ` +
          `final loss ${fmt(best.finalLoss)}` +
          `${best.lossVsReference !== null ? ` (×${fmt(best.lossVsReference)} the tanh reference)` : ''}.\n`;
        writeOutputFile(opts.writeFixed, header + stringify(fixed));
      } else if (opts.writeFixed) {
        const why = report.status === 'interrupted' ? 'interrupted' : 'no remedy cured every seed';
        process.stderr.write(`--write-fixed: ${why}; ${opts.writeFixed} not written\n`);
      }
      process.stdout.write(renderTreatTerminal(report, { palette: terminalPalette(), quiet: opts.quiet, width: terminalWidth() }));
      process.exitCode = received ? signalExitCode(received) : report.rows.length === 0 || report.best ? 0 : 1;
    });
}
