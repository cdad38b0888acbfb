import path from 'node:path';
import type { Command } from 'commander';
import { createDataStream } from '../data/data-stream.js';
import { resolveRunConfig } from '../core/run-options.js';
import { z } from 'zod';
import { loadConfig } from '../model/load-config-with-model.js';
import { renderRunTerminal } from '../report/terminal.js';
import { defineCommand, flag, optionsSchema, OUTPUT_FLAGS, pick, progressShown } from './flags.js';
import { signalExitCode, withSignals } from './signals.js';
import { terminalPalette } from './tty.js';
import { terminalWidth } from '../report/fit.js';
import { emitOutputs } from './outputs.js';

const RUN_FLAGS = {
  ...pick([...OUTPUT_FLAGS, 'steps', 'seed', 'backend'], { junit: 'write JUnit XML (one test case, failing with the verdict)' }),
  ...pick(['failOn'], { failOn: "what makes the exit code 1 (default: the config's watch.failOn, else inf = NaN or Inf)" }),
  ...pick(['quiet', 'progress']),
  allowBadRows: flag(
    '--allow-bad-rows <what>',
    'recorded data: drop rows with NaN/Inf or the wrong width instead of refusing the file (the count is reported)',
    z.enum(['drop']).optional(),
    { choices: ['drop'] },
  ),
  dumpDir: flag(
    '--dump-dir <dir>',
    'write a crash dump (state before the failing step, its minibatch, RNG state; .npy + manifest) for `critic-doctor replay`',
    z.string().min(1).optional(),
  ),
  ...pick(['replicas'], {
    replicas:
      'train the run with k−1 replicas whose initial parameters are nudged by one float32 ulp, as one ensemble, ' +
      'and say whether the diagnosis is robust or chaotic',
  }),
};
export const RunOptionsSchema = optionsSchema(RUN_FLAGS);

/** `critic-doctor run CONFIG`: train with the watchdog, report the first NaN/Inf/explosion. */
export function runCommand(): Command {
  return defineCommand('run', RUN_FLAGS, RunOptionsSchema, async (configPath: string, opts) => {
    const loaded = await loadConfig(configPath);
    // The data read before the engine loads: a bad config or data file is refused without loading tfjs.
    const badRows = opts.allowBadRows === 'drop' ? 'drop' : 'error';
    const config = resolveRunConfig({ loaded, steps: opts.steps, seed: opts.seed });
    const stream = await createDataStream(config, { baseDir: path.dirname(path.resolve(loaded.file)), badRows });
    const [{ runDiagnosis }, { ProgressBar }] = await Promise.all([import('../core/run.js'), import('./step-progress.js')]);
    const showProgress = progressShown(opts);
    const { value: report, received } = await withSignals((signal) =>
      runDiagnosis({
        loaded,
        steps: opts.steps,
        seed: opts.seed,
        failOn: opts.failOn,
        backend: opts.backend,
        badRows,
        stream,
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
