import cliProgress from 'cli-progress';

/** cli-progress settings for stderr: redrawn on a terminal, a plain line a second elsewhere (--progress in CI logs). */
export function barOptions(format: string): cliProgress.Options {
  return { stream: process.stderr, format, clearOnComplete: true, hideCursor: true, noTTYOutput: true, notTTYSchedule: 1000 };
}

/** A bar of finished runs for multi-run commands (where `progressShown` says). */
export function cellsBar(show: boolean): { start(): void; update(done: number, total: number, last: string): void; stop(): void } {
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
