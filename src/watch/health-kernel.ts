import { tf } from '../util/tfjs.js';
import { registerJsKernel } from '../engine/js-kernel.js';
import { kernelMemoryFor, wasmKernelsAvailable, type KernelMemory } from '../engine/wasm-kernels.js';
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
export { NUM_STATS, S_DEAD, S_INF, S_MAXABS, S_NAN, S_OVER, S_SAT, S_SUMSQ, STAT_COLUMNS } from './stat-columns.js';
import { NUM_STATS, S_DEAD, S_INF, S_MAXABS, S_NAN, S_OVER, S_SAT, S_SUMSQ } from './stat-columns.js';

interface HealthAttrs {
  modes: InactivityMode[];
  thresholds: number[];
  limit: number;
}

/**
 * Σx² over the entries `keep` accepts, in float64 and in the order of assembly/stats.ts: entry i
 * of the first n − n mod 8 into lane i mod 8, the lanes combined as
 * ((l0+l1)+(l2+l3))+((l4+l5)+(l6+l7)), then the tail entries one by one. (x² of a float32 is exact
 * in float64; only the order of the additions matters, and this one is the SIMD kernel's.)
 */
function sumSquares(v: ArrayLike<number>, keep: (x: number) => boolean = () => true): number {
  const n = v.length;
  const n8 = n - (n % 8);
  const l = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < n8; i++) {
    const x = v[i]!;
    if (keep(x)) l[i & 7] = l[i & 7]! + x * x;
  }
  let s = l[0]! + l[1]! + (l[2]! + l[3]!) + (l[4]! + l[5]! + (l[6]! + l[7]!));
  for (let i = n8; i < n; i++) {
    const x = v[i]!;
    if (keep(x)) s += x * x;
  }
  return s;
}

/** The largest float32 ≤ t: for every float32 x, x > t ⇔ x > floorF32(t) (what the SIMD kernel compares with). */
export function floorF32(t: number): number {
  const r = Math.fround(t);
  if (r <= t || !Number.isFinite(r)) return r;
  const bits = new Uint32Array(Float32Array.of(r).buffer);
  bits[0] = r > 0 ? bits[0]! - 1 : r === 0 ? 0x80000001 : bits[0]! + 1;
  return new Float32Array(bits.buffer)[0]!;
}

/** The entries whose statistics a non-finite or over-limit tensor needs one by one. */
function slowPass(v: ArrayLike<number>, limit: number): { nan: number; inf: number; over: number; maxAbs: number; sumSq: number } {
  let nan = 0;
  let inf = 0;
  let over = 0;
  let maxAbs = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x !== x) nan++;
    else if (x === Infinity || x === -Infinity) inf++;
    else {
      const a = x < 0 ? -x : x;
      if (a > maxAbs) maxAbs = a;
      if (a > limit) over++;
    }
  }
  return { nan, inf, over, maxAbs, sumSq: sumSquares(v, Number.isFinite) };
}

/** Fraction of units (columns of a [rows, cols] tensor) that no row activates (no entry > 0). */
function deadFraction(v: ArrayLike<number>, shape: number[]): number {
  if (shape.length !== 2) return 0;
  const rows = shape[0]!;
  const cols = shape[1]!;
  let dead = 0;
  for (let c = 0; c < cols; c++) {
    let alive = false;
    for (let r = 0; r < rows && !alive; r++) if (v[r * cols + c]! > 0) alive = true;
    if (!alive) dead++;
  }
  return cols > 0 ? dead / cols : 0;
}

/** What one pass over a tensor gives: max |x|, Σx² and (saturated mode) the count beyond the threshold. */
interface FastPass {
  maxAbs: number;
  sumSq: number;
  sat: number;
}

/** The one pass in JS (the SIMD kernel's twin: the same numbers). */
export function fastPassJs(v: ArrayLike<number>, mode: InactivityMode, threshold: number): FastPass {
  let maxAbs = 0;
  let sat = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    const a = x < 0 ? -x : x;
    if (a > maxAbs) maxAbs = a;
    if (mode === 'saturated' && (x > threshold || x < -threshold)) sat++;
  }
  return { maxAbs, sumSq: sumSquares(v), sat };
}

/**
 * Fills row `row` of `out` with the statistics of `v` (shape = [rows, cols] for the unit checks),
 * from its fast pass. Σx² turns NaN or Inf as soon as one entry is non-finite, so the healthy case
 * — nearly every step — needs no per-entry classification.
 */
function statsInto(
  out: Float32Array,
  row: number,
  v: ArrayLike<number>,
  shape: number[],
  mode: InactivityMode,
  limit: number,
  fast: FastPass,
): void {
  const n = v.length;
  const slow = !Number.isFinite(fast.sumSq) || fast.maxAbs > limit ? slowPass(v, limit) : undefined;
  const o = row * NUM_STATS;
  out[o + S_NAN] = slow?.nan ?? 0;
  out[o + S_INF] = slow?.inf ?? 0;
  out[o + S_MAXABS] = slow?.maxAbs ?? fast.maxAbs;
  out[o + S_SUMSQ] = slow?.sumSq ?? fast.sumSq;
  out[o + S_DEAD] = mode === 'dead' ? deadFraction(v, shape) : 0;
  out[o + S_SAT] = mode === 'saturated' && n > 0 ? fast.sat / n : 0;
  out[o + S_OVER] = slow?.over ?? 0;
}

/**
 * The one pass of every tensor in one call of the SIMD kernel (assembly/stats.ts), reading the
 * tensors where they are; `tmp` (5 floats a tensor) holds the table and the results.
 */
export function fastPassesWasm(
  vs: Float32Array[],
  modes: readonly InactivityMode[],
  thresholds: readonly number[],
  tmp: Float32Array,
  /** The caller's kernel call, when it is one (then `tmp` lies in its memory); else a call of its own. */
  call?: KernelMemory,
): FastPass[] {
  const count = vs.length;
  const table = tmp.subarray(0, 3 * count);
  const res = tmp.subarray(3 * count, 9 * count);
  const w = call ?? kernelMemoryFor(vs[0] ?? tmp);
  const bits = new Uint32Array(3 * count);
  const f32 = new Float32Array(bits.buffer);
  vs.forEach((v, i) => {
    bits[3 * i] = w.input(v);
    bits[3 * i + 1] = v.length;
    f32[3 * i + 2] = modes[i] === 'saturated' ? floorF32(thresholds[i]!) : -1;
  });
  table.set(f32);
  w.k.statsMany(w.input(table), count, w.output(res));
  if (!call) w.end();
  const d = new DataView(res.buffer, res.byteOffset, 24 * count);
  return vs.map((_, i) => ({
    maxAbs: d.getFloat32(24 * i, true),
    sumSq: d.getFloat64(24 * i + 8, true),
    sat: modes[i] === 'saturated' ? d.getInt32(24 * i + 16, true) : 0,
  }));
}

/** One tensor's pass in the SIMD kernel (tests). */
export function fastPassWasm(v: Float32Array, mode: InactivityMode, threshold: number, tmp: Float32Array): FastPass {
  return fastPassesWasm([v], [mode], [threshold], tmp)[0]!;
}

const simd = wasmKernelsAvailable();

/**
 * Row i of `out` ([views.length, NUM_STATS]) gets the statistics of views[i]: the one pass in
 * the SIMD kernel where it runs (its JS twin otherwise), then what a non-finite or over-limit
 * tensor needs one by one. `tmp`: 9 floats a tensor (in `call`'s memory when `call` is given).
 */
export function statsRows(
  out: Float32Array,
  views: Float32Array[],
  shapes: number[][],
  modes: readonly InactivityMode[],
  thresholds: readonly number[],
  limit: number,
  tmp: Float32Array,
  call?: KernelMemory,
): void {
  const fast =
    simd && useSimdStats
      ? fastPassesWasm(views, modes, thresholds, tmp, call)
      : views.map((v, i) => fastPassJs(v, modes[i]!, thresholds[i]!));
  views.forEach((v, i) => statsInto(out, i, v, shapes[i]!, modes[i]!, limit, fast[i]!));
}

registerJsKernel<HealthAttrs>({
  name: HEALTH_KERNEL,
  outShapes: (shapes) => [[shapes.length, NUM_STATS]],
  scratch: (shapes) => 9 * shapes.length, // the SIMD pass's table and results
  run: (ins, shapes, outs, a, tmp) => statsRows(outs[0]!, ins, shapes, a.modes, a.thresholds, a.limit, tmp),
});

let useSimdStats = true;

/** Switches the statistics' SIMD pass off (its JS twin then runs): tests compare the two. */
export function setSimdStats(on: boolean): void {
  useSimdStats = on;
}

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
