import { Command, Option } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../model/load-config-with-model.js';
import { FAIL_ON } from '../config/schema.js';
import { renderRunTerminal } from '../report/terminal.js';
import { runDiagnosis } from '../core/run.js';
import { BACKEND_CHOICES } from '../train/backend.js';
import { intFlag, MAX_REPLICAS, parseOptions } from './options.js';
import { ProgressBar } from './progress.js';
import { signalExitCode, withSignals } from './signals.js';
import { terminalPalette } from './tty.js';
import { terminalWidth } from '../report/fit.js';
import { emitOutputs, OutputFlags } from './outputs.js';

export const RunOptionsSchema = z.strictObject({
  ...OutputFlags,
  steps: intFlag(1).optional(),
  seed: intFlag(0).optional(),
  backend: z.enum(BACKEND_CHOICES).default('auto'),
  failOn: z.enum(FAIL_ON).optional(),
  quiet: z.boolean().default(false),
  progress: z.boolean().default(true),
  debug: z.boolean().default(false),
  allowBadRows: z.enum(['drop']).optional(),
  dumpDir: z.string().min(1).optional(),
  replicas: intFlag(1, MAX_REPLICAS).optional(),
});

/** `critic-doctor run CONFIG`: train with the watchdog, report the first NaN/Inf/explosion. */
export function runCommand(): Command {
  return new Command('run')
    .description('train the critic a config describes, with a watchdog on every layer, and report the first NaN, Inf or explosion')
    .argument('<config>', 'YAML or JSON config file')
    .option('--json <file>', 'write the full report as JSON')
    .option('--html <file>', 'write a self-contained HTML report with charts')
    .option('--markdown <file>', 'write a Markdown summary')
    .option('--junit <file>', 'write JUnit XML (one test case, failing with the verdict)')
    .option('--steps <n>', "override the config's steps")
    .option('--seed <n>', "override the config's seed")
    .addOption(
      new Option('--backend <name>', 'TensorFlow.js backend; auto takes the first that loads').choices(BACKEND_CHOICES).default('auto'),
    )
    .addOption(
      new Option('--fail-on <event>', "what makes the exit code 1 (default: the config's watch.failOn, else inf = NaN or Inf)").choices(
        FAIL_ON,
      ),
    )
    .option('-q, --quiet', 'print only the verdict')
    .option('--no-progress', 'no progress bar (it only shows on a terminal anyway)')
    .addOption(
      new Option(
        '--allow-bad-rows <what>',
        'recorded data: drop rows with NaN/Inf or the wrong width instead of refusing the file (the count is reported)',
      ).choices(['drop']),
    )
    .option(
      '--dump-dir <dir>',
      'write a crash dump (state before the failing step, its minibatch, RNG state; .npy + manifest) for `critic-doctor replay`',
    )
    .option(
      '--replicas <k>',
      'train the run with k−1 replicas whose initial parameters are nudged by one float32 ulp, as one ensemble, ' +
        'and say whether the diagnosis is robust or chaotic',
    )
    .option('--debug', 'show stack traces of internal errors')
    .addHelpText(
      'after',
      '\nExamples:\n  $ critic-doctor run configs/seed-critic-relu.yaml --json report.json\n  $ critic-doctor run ' +
        'configs/nan-sgd-relu.yaml --fail-on nan --steps 2000\n  $ critic-doctor run configs/nan-sgd-relu.yaml --replicas 8\n' +
        '\nExit codes: 0 healthy, 1 NaN/Inf (or what --fail-on names), 2 bad ' +
        'config/data/usage, 3 internal error, 130/143 interrupted.',
    )
    .action(async (configPath: string, raw: Record<string, unknown>) => {
      const opts = parseOptions(RunOptionsSchema, raw);
      const loaded = await loadConfig(configPath);
      const showProgress = opts.progress && !opts.quiet && process.stderr.isTTY === true;
      const { value: report, received } = await withSignals((signal) =>
        runDiagnosis({
          loaded,
          steps: opts.steps,
          seed: opts.seed,
          failOn: opts.failOn,
          backend: opts.backend,
          badRows: opts.allowBadRows === 'drop' ? 'drop' : 'error',
          plant: faultInjection(),
          dumpDir: opts.dumpDir,
          replicas: opts.replicas,
          signal,
          callbacks: showProgress ? [new ProgressBar()] : [],
        }),
      );
      emitOutputs(report, opts);
      process.stdout.write(renderRunTerminal(report, { palette: terminalPalette(), quiet: opts.quiet, width: terminalWidth() }));
      if (report.status === 'error') {
        process.stderr.write(
          `internal error: the engine failed after ${report.stepsRun} steps: ${report.error}\n` +
            '(the reports hold what was seen until then)\n',
        );
        process.exitCode = 3;
        return;
      }
      process.exitCode = received ? signalExitCode(received) : report.verdict.failed ? 1 : 0;
    });
}

/**
 * CRITIC_DOCTOR_INJECT_FAULT=step:N makes the engine fail at step N, so tests (and anyone checking
 * their CI wiring) can see the internal-error path: exit 3 with the partial report written.
 */
function faultInjection(): { failAtStep: number } | undefined {
  const m = /^step:(\d+)$/.exec(process.env.CRITIC_DOCTOR_INJECT_FAULT ?? '');
  return m ? { failAtStep: Number(m[1]) } : undefined;
}
