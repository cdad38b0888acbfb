import type { Command } from 'commander';
import { fmt } from '../util/number-format.js';
import { stringify } from 'yaml';
import { z } from 'zod';
import { loadConfig } from '../model/load-config-with-model.js';

import { renderTreatTerminal } from '../report/treat-render.js';
import { getRemedy, REMEDIES } from '../diagnose/remedies.js';
import { namesFlag, oneSeedSource, resolveSeeds } from './options.js';
import { defineCommand, flag, optionsSchema, OUTPUT_FLAGS, pick } from './flags.js';
import { runMultiRun } from './progress.js';
import { emitOutputs } from './outputs.js';
import { signalExitCode } from './signals.js';
import { terminalPalette } from './tty.js';
import { terminalWidth } from '../report/fit.js';
import { writeOutputFile } from './write-output.js';

const TREAT_FLAGS = {
  remedies: flag(
    '--remedies <list>',
    `comma-separated, of: ${REMEDIES.map((r) => r.name).join(', ')} (default: every one that applies)`,
    namesFlag(
      REMEDIES.map((r) => r.name),
      'remedy',
    ).optional(),
  ),
  ...pick(['seeds', 'seedList', 'steps'], {
    steps: "override the config's steps (remedies run at least twice the baseline's failure step)",
  }),
  combine: flag('--combine <k>', 'also try every pair of remedies', z.enum(['1', '2']).default('1'), {
    choices: ['1', '2'],
    shownDefault: '1',
  }),
  target: flag(
    '--target <what>',
    "what to cure: the run's NaN/Inf/explosion, or also its findings (a saturated layer, ...)",
    z.enum(['event', 'finding']).default('event'),
    { choices: ['event', 'finding'], shownDefault: 'event' },
  ),
  ...pick(['failOn'], { failOn: "what counts as failing (default: the config's watch.failOn)" }),
  writeFixed: flag(
    '--write-fixed <file>',
    'write the config with the best cure applied (YAML, with a comment naming the remedy and the evidence)',
    z.string().min(1).optional(),
  ),
  ...pick(OUTPUT_FLAGS, {
    json: 'write the treatment report as JSON',
    junit: 'write JUnit XML: one test case per remedy',
    html: 'write a self-contained HTML page of the table and verdict',
  }),
  ...pick(['replicas', 'workers', 'backend', 'quiet', 'progress']),
};
export const TreatOptionsSchema = optionsSchema(TREAT_FLAGS).superRefine(oneSeedSource);

/** `critic-doctor treat CONFIG`: which remedies actually cure the failure. */
export function treatCommand(): Command {
  return defineCommand('treat', TREAT_FLAGS, TreatOptionsSchema, async (configPath: string, opts) => {
    const loaded = await loadConfig(configPath);
    const seeds = resolveSeeds(opts, loaded.config.seed);
    const { treat } = await import('../core/treat.js');
    const { value: report, received } = await runMultiRun(opts, (common) =>
      treat({
        loaded,
        seeds,
        remedies: opts.remedies,
        combine: opts.combine === '2' ? 2 : 1,
        target: opts.target,
        steps: opts.steps,
        failOn: opts.failOn,
        ...common,
      }),
    );
    emitOutputs(report, opts);
    if (opts.writeFixed && report.best) {
      const best = report.rows.find((r) => r.remedy === report.best)!;
      const fixed = getRemedy(best.remedy)!.transform(loaded.config);
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
