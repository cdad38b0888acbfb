import cliProgress from 'cli-progress';

/** A bar of finished runs for multi-run commands (TTY only; none with --quiet or --no-progress). */
export function cellsBar(show: boolean): { start(): void; update(done: number, total: number, last: string): void; stop(): void } {
  const bar =
    show && process.stderr.isTTY
      ? new cliProgress.SingleBar(
          { stream: process.stderr, format: '  {bar} {value}/{total} runs · {last}', clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        )
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
