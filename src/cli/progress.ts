import cliProgress from 'cli-progress';
import type { BackendChoice } from '../train/backend-choices.js';
import type { CellResult } from '../diagnose/cell-result.js';
import { progressShown } from './flags.js';
import { withSignals } from './signals.js';

/** cli-progress settings for stderr: redrawn on a terminal, a plain line a second elsewhere (--progress in CI logs). */
export function barOptions(format: string): cliProgress.Options {
  return { stream: process.stderr, format, clearOnComplete: true, hideCursor: true, noTTYOutput: true, notTTYSchedule: 1000 };
}

/** A bar of finished runs for multi-run commands (where `progressShown` says). */
function cellsBar(show: boolean): { start(): void; update(done: number, total: number, last: string): void; stop(): void } {
  const bar = show
    ? new cliProgress.SingleBar(barOptions('  {bar} {value}/{total} runs · {last}'), cliProgress.Presets.shades_classic)
    : undefined;
  return {
    start: () => bar?.start(1, 0, { last: '' }),
    update: (done, total, last) => {
      bar?.setTotal(total);
      bar?.update(done, { last });
    },
    stop: () => bar?.stop(),
  };
}

/** What a multi-run core takes from the shared flags, the signal and the runs bar. */
export interface MultiRunArgs {
  backend: BackendChoice;
  concurrency?: number;
  replicas?: number;
  signal: AbortSignal;
  onCellDone: (c: CellResult, done: number, total: number) => void;
}

/**
 * Runs a multi-run command's core (compare-activations, treat) under SIGINT/SIGTERM handling with
 * the runs bar, handing it the options every such core takes.
 */
export async function runMultiRun<R>(
  opts: { progress?: boolean; quiet: boolean; backend: BackendChoice; workers?: number; replicas?: number },
  run: (args: MultiRunArgs) => Promise<R>,
): Promise<{ value: R; received?: NodeJS.Signals }> {
  const bar = cellsBar(progressShown(opts));
  const result = await withSignals((signal) => {
    bar.start();
    return run({
      backend: opts.backend,
      concurrency: opts.workers,
      replicas: opts.replicas,
      signal,
      onCellDone: (c, done, total) => bar.update(done, total, `${c.variant} seed ${c.seed}: ${c.worst ?? 'healthy'}`),
    });
  });
  bar.stop();
  return result;
}
