import cliProgress from 'cli-progress';
import { TrainCallback, type StepLogs, type TrainBeginInfo } from '../train/callbacks.js';
import { NUM_STATS, S_MAXABS } from '../watch/health-kernel.js';
import { barOptions } from './progress.js';

/** A progress bar on stderr (cli/progress.ts): steps, steps/s and the current max |activation|. */
export class ProgressBar extends TrainCallback {
  private bar?: cliProgress.SingleBar;
  private actRows: number[] = [];
  private t0 = 0;
  private lastDraw = 0;

  override onTrainBegin(info: TrainBeginInfo): void {
    this.actRows = info.points.flatMap((p, i) => (p.phase === 'forward' && p.tensor === 'activation' ? [i] : []));
    this.t0 = performance.now();
    this.bar = new cliProgress.SingleBar(
      barOptions('  {bar} {value}/{total} steps · {rate} steps/s · max |activation| {act}'),
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(info.steps, 0, { rate: '–', act: '–' });
  }

  override onStepEnd(step: number, logs: StepLogs): void {
    const t = performance.now();
    if (t - this.lastDraw < 100) return;
    this.lastDraw = t;
    let act = 0;
    for (const r of this.actRows) act = Math.max(act, logs.stats[r * NUM_STATS + S_MAXABS]!);
    this.bar?.update(step + 1, { rate: (((step + 1) * 1000) / (t - this.t0)).toFixed(0), act: act.toPrecision(3) });
  }

  override onTrainEnd(): void {
    this.bar?.stop();
  }
}
