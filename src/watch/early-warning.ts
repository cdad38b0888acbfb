import { z } from 'zod';
import { Instrument, type WatchBegin, type WatchStep } from './instrument.js';
import { Float } from '../util/float-schema.js';
import { NUM_STATS, S_INF, S_MAXABS, S_NAN } from './stat-columns.js';

/** log₁₀ of float32's largest finite value (3.4e38): where an exponential trend overflows. */
const LOG_OVERFLOW = Math.log10(3.4028234663852886e38);
/** Steps in each fit window. */
const WINDOW = 20;
/** A fit must explain this much of the variance of log|x| to count as exponential growth. */
const MIN_R2 = 0.8;
/** Successive predictions must agree this closely (relative, in steps-to-overflow) to be "stable". */
const STABLE = 0.25;

export const EarlyWarningSchema = z.object({
  /** The step at which the warning fired. */
  step: z.int(),
  /** What grows: "max |x| over all watched tensors" or "loss". */
  quantity: z.string(),
  /** Its value when the warning fired. */
  value: Float,
  /** Steps for the quantity to grow ×10, from the fit. */
  stepsPerDecade: Float,
  /** Where the fitted trend reaches float32's maximum (3.4e38). */
  predictedOverflowStep: z.int(),
  /**
   * The last prediction before the run ended or went non-finite: growth that feeds on itself
   * accelerates, so early straight-line fits (in log space) predict too late; later ones catch up.
   */
  latest: z.object({ step: z.int(), predictedOverflowStep: z.int() }),
});
export type EarlyWarning = z.infer<typeof EarlyWarningSchema>;

/** Least-squares line through (x, y); returns slope and R². */
function fit(xs: number[], ys: number[]): { slope: number; r2: number } {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return { slope, r2: syy > 0 ? (sxy * sxy) / (sxx * syy) : 0 };
}

/**
 * Early warning: fits log₁₀ of the largest |x| among all watched tensors, and of the loss, over the
 * last 20 steps; when the growth is exponential (a good straight-line fit in log space) and the
 * trend reaches float32's maximum within the run's remaining budget — and three successive fits
 * agree on when, within 25 % — it records a warning: "overflow predicted near step N". It looks
 * only at steps before the first NaN/Inf; it never stops training.
 */
export class EarlyWarningWatch extends Instrument {
  warning: EarlyWarning | null = null;
  private rows: number[] = [];
  private lossRow = -1;
  private steps = 0;
  private readonly series = { max: [] as [number, number][], loss: [] as [number, number][] };
  private readonly predictions = { max: [] as number[], loss: [] as number[] };
  private done = false;

  override onTrainBegin(info: WatchBegin): void {
    this.steps = info.steps;
    this.rows = info.points.map((_, i) => i);
    this.lossRow = info.points.findIndex((p) => p.phase === 'loss' && p.tensor === 'loss');
  }

  override onStepEnd(step: number, logs: WatchStep): void {
    if (this.done) return;
    const s = logs.stats;
    let max = 0;
    for (const r of this.rows) {
      const o = r * NUM_STATS;
      if (s[o + S_NAN]! > 0 || s[o + S_INF]! > 0) {
        // Past the first non-finite value there is nothing left to predict.
        this.done = true;
        return;
      }
      if (s[o + S_MAXABS]! > max) max = s[o + S_MAXABS]!;
    }
    this.observe('max', 'max |x| over all watched tensors', step, max);
    if (this.lossRow >= 0) this.observe('loss', 'loss', step, s[this.lossRow * NUM_STATS + S_MAXABS]!);
  }

  private observe(key: 'max' | 'loss', quantity: string, step: number, value: number): void {
    if (!(value > 0)) return;
    if (this.warning && this.warning.quantity !== quantity) return;
    const ser = this.series[key];
    ser.push([step, Math.log10(value)]);
    if (ser.length > WINDOW) ser.shift();
    if (ser.length < WINDOW) return;
    const { slope, r2 } = fit(
      ser.map((p) => p[0]),
      ser.map((p) => p[1]),
    );
    const preds = this.predictions[key];
    const now = ser[ser.length - 1]![1];
    if (slope <= 0 || r2 < MIN_R2) {
      preds.length = 0;
      return;
    }
    const predicted = step + (LOG_OVERFLOW - now) / slope;
    if (predicted > this.steps) {
      preds.length = 0;
      return;
    }
    if (this.warning) {
      this.warning.latest = { step, predictedOverflowStep: Math.round(predicted) };
      return;
    }
    preds.push(predicted);
    if (preds.length > 3) preds.shift();
    if (preds.length < 3) return;
    const ahead = preds.map((p) => p - step);
    const spread = (Math.max(...ahead) - Math.min(...ahead)) / Math.max(1, Math.max(...ahead));
    if (spread > STABLE) return;
    this.warning = {
      step,
      quantity,
      value,
      stepsPerDecade: 1 / slope,
      predictedOverflowStep: Math.round(predicted),
      latest: { step, predictedOverflowStep: Math.round(predicted) },
    };
  }
}
