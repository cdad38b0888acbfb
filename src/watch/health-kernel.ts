import * as tf from '@tensorflow/tfjs';
import { registerJsKernel } from '../engine/js-kernel.js';
import { callKernel, runFused, type Fused } from '../engine/fused-call.js';
import type { InactivityMode } from './watch-points.js';

/**
 * Health statistics of many tensors in one kernel call, one row per tensor:
 * [NaN count, Inf count, max |x| over finite entries, Σx² over finite entries, dead-unit fraction,
 * saturated fraction, count of finite entries above the explosion limit]. Dead and saturated are
 * computed only for tensors marked as pre-activations:
 * - `dead` (relu-like): the fraction of units (columns) that no row activates, i.e. with no entry
 *   > 0. A NaN entry activates nothing, so a column of NaN and non-positive values is dead; +Inf
 *   activates, −Inf does not.
 * - `saturated` (tanh-like): the fraction of entries with |x| > threshold; ±Inf is saturated, NaN
 *   is not.
 *
 * On the CPU-side backends (wasm, cpu) it is a JS kernel (engine/js-kernel.ts) that reads the
 * tensors where they already are (the wasm heap, the cpu backend's arrays) in one pass and writes
 * one small tensor: one dispatch instead of ~10 per tensor, and no copy of the watched data. Other backends
 * (tensorflow, webgl) get the same statistics composed from tfjs ops, still on the device.
 */
export const HEALTH_KERNEL = 'CriticDoctorHealthStats';
export const STAT_COLUMNS = ['nan', 'inf', 'maxAbs', 'sumSq', 'dead', 'saturated', 'over'] as const;
export const NUM_STATS = STAT_COLUMNS.length;
export const S_NAN = 0;
export const S_INF = 1;
export const S_MAXABS = 2;
export const S_SUMSQ = 3;
export const S_DEAD = 4;
export const S_SAT = 5;
/** Entries with |x| above the explosion threshold. */
export const S_OVER = 6;

interface HealthAttrs {
  modes: InactivityMode[];
  thresholds: number[];
  limit: number;
}

/** Fills row `row` of `out` with the statistics of `v` (shape = [rows, cols] for the unit checks). */
function statsInto(
  out: Float32Array,
  row: number,
  v: ArrayLike<number>,
  shape: number[],
  mode: InactivityMode,
  threshold: number,
  limit: number,
): void {
  const n = v.length;
  // Fast pass: Σx² turns NaN or Inf as soon as one entry is non-finite (or the sum overflows),
  // so the healthy case — nearly every step — needs no per-entry classification.
  let maxAbs = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const x = v[i]!;
    sumSq += x * x;
    const a = x < 0 ? -x : x;
    if (a > maxAbs) maxAbs = a;
  }
  let nan = 0;
  let inf = 0;
  let over = 0;
  let sat = 0;
  if (!Number.isFinite(sumSq) || maxAbs > limit) {
    maxAbs = 0;
    sumSq = 0;
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      if (x !== x) nan++;
      else if (x === Infinity || x === -Infinity) inf++;
      else {
        const a = x < 0 ? -x : x;
        if (a > maxAbs) maxAbs = a;
        sumSq += x * x;
        if (a > limit) over++;
      }
    }
  }
  if (mode === 'saturated') {
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      if (x > threshold || x < -threshold) sat++;
    }
  }
  let dead = 0;
  if (mode === 'dead' && shape.length === 2) {
    const rows = shape[0]!;
    const cols = shape[1]!;
    for (let c = 0; c < cols; c++) {
      let alive = false;
      for (let r = 0; r < rows && !alive; r++) if (v[r * cols + c]! > 0) alive = true;
      if (!alive) dead++;
    }
    dead = cols > 0 ? dead / cols : 0;
  }
  const o = row * NUM_STATS;
  out[o + S_NAN] = nan;
  out[o + S_INF] = inf;
  out[o + S_MAXABS] = maxAbs;
  out[o + S_SUMSQ] = sumSq;
  out[o + S_DEAD] = dead;
  out[o + S_SAT] = mode === 'saturated' && n > 0 ? sat / n : 0;
  out[o + S_OVER] = over;
}

registerJsKernel<HealthAttrs>({
  name: HEALTH_KERNEL,
  outShapes: (shapes) => [[shapes.length, NUM_STATS]],
  run: (ins, shapes, outs, a) => ins.forEach((v, i) => statsInto(outs[0]!, i, v, shapes[i]!, a.modes[i]!, a.thresholds[i]!, a.limit)),
});

/** Whether the current backend has the one-dispatch kernel (else the composite is used). */
export function hasFastHealthKernel(): boolean {
  // Not tied to the fused-kernel switch: the statistics are the watchdog's, not the step's arithmetic.
  return tf.getKernel(HEALTH_KERNEL, tf.getBackend()) !== undefined;
}

/** Statistics of `tensors` as an [n, 6] tensor, on the current backend. */
export function healthStats(
  tensors: readonly tf.Tensor[],
  modes: readonly InactivityMode[],
  thresholds: readonly number[],
  limit: number,
  forceComposite = false,
): tf.Tensor2D {
  return runFused(healthStatsSteps(tensors, modes, thresholds, limit, forceComposite));
}

/** `healthStats` as a fused computation (engine/fused-call.ts). */
export function* healthStatsSteps(
  tensors: readonly tf.Tensor[],
  modes: readonly InactivityMode[],
  thresholds: readonly number[],
  limit: number,
  forceComposite = false,
): Fused<tf.Tensor2D> {
  if (!forceComposite && hasFastHealthKernel()) {
    return (yield* callKernel(HEALTH_KERNEL, tensors, { modes: [...modes], thresholds: [...thresholds], limit }))[0] as tf.Tensor2D;
  }
  return compositeHealthStats(tensors, modes, thresholds, limit);
}

/** The same statistics from tfjs ops (any backend; also the reference the fast kernel is tested against). */
export function compositeHealthStats(
  tensors: readonly tf.Tensor[],
  modes: readonly InactivityMode[],
  thresholds: readonly number[],
  limit: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const rows = tensors.map((t, i) => {
      const x = tf.reshape(t, [-1]);
      const isNan = tf.isNaN(x);
      const isInf = tf.isInf(x);
      const finite = tf.logicalNot(tf.logicalOr(isNan, isInf));
      const absx = tf.where(finite, tf.abs(x), tf.zerosLike(x));
      const cols: tf.Tensor[] = [
        tf.sum(tf.cast(isNan, 'float32')),
        tf.sum(tf.cast(isInf, 'float32')),
        x.size > 0 ? tf.max(absx) : tf.scalar(0),
        tf.sum(tf.square(absx)),
      ];
      // The same rules as statsInto: a unit is alive where some entry is > 0 (NaN is not); |±Inf| saturates.
      cols.push(
        modes[i] === 'dead' && t.rank === 2 && t.size > 0
          ? tf.mean(tf.cast(tf.logicalNot(tf.any(tf.greater(t, 0), 0)), 'float32'))
          : tf.scalar(0),
      );
      cols.push(modes[i] === 'saturated' && t.size > 0 ? tf.mean(tf.cast(tf.greater(tf.abs(x), thresholds[i]!), 'float32')) : tf.scalar(0));
      cols.push(tf.sum(tf.cast(tf.greater(absx, limit), 'float32')));
      return tf.stack(cols);
    });
    return tf.stack(rows) as tf.Tensor2D;
  });
}

/** The first row (watched tensor, in step order) of a step's statistics holding a NaN or Inf, or −1. */
export function firstNonFiniteRow(stats: ArrayLike<number>): number {
  for (let o = 0; o < stats.length; o += NUM_STATS) if (stats[o + S_NAN]! > 0 || stats[o + S_INF]! > 0) return o / NUM_STATS;
  return -1;
}
