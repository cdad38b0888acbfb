import type { WatchConfig } from '../config/schema.js';
import type { EventKind, FirstEvent } from './events.js';
import type { tf } from '../util/tfjs.js';
import { healthStatsSteps, NUM_STATS, S_INF, S_MAXABS, S_NAN, S_OVER } from './health-kernel.js';
import type { WatchPoint } from './watch-points.js';
import { runFused, type Fused } from '../engine/fused-call.js';

/**
 * The event rules, in one place: what counts as a NaN, an Inf or an explosion in a step's
 * statistics, which comes first, which is worst, and which fail a run under `failOn`.
 *
 * - NaN: a NaN entry. Inf: a ±Inf entry (float32 overflow). Explosion: |x| above
 *   `explosionThreshold`, Infs included (the statistics kernel counts the finite ones above it).
 * - The first event of a kind is the first watched tensor, in step order, at the first step that
 *   has one.
 * - Which is worst, and which fail a run under `failOn`: watch/severity.ts.
 */
export class EventRules {
  constructor(readonly watch: Pick<WatchConfig, 'explosionThreshold'>) {}

  /** |x| above this is an explosion; the statistics kernel counts entries beyond it. */
  get explosionThreshold(): number {
    return this.watch.explosionThreshold;
  }

  /**
   * A step's statistics of its watched tensors (one kernel call), with the explosion counts these
   * rules call for and each point's own dead/saturated check.
   */
  stats(tensors: readonly tf.Tensor[], points: readonly WatchPoint[]): tf.Tensor2D {
    return runFused(this.statsSteps(tensors, points));
  }

  /** `stats` as a fused computation (engine/fused-call.ts). */
  statsSteps(tensors: readonly tf.Tensor[], points: readonly WatchPoint[]): Fused<tf.Tensor2D> {
    return healthStatsSteps(
      tensors,
      points.map((p) => p.inactivity),
      points.map((p) => p.saturationThreshold),
      this.explosionThreshold,
    );
  }
}

/** Bad entries of `kind` in row `row` of a step's statistics (an explosion counts Infs too). */
export function eventCount(kind: EventKind, s: ArrayLike<number>, row: number): number {
  const o = row * NUM_STATS;
  return kind === 'nan' ? s[o + S_NAN]! : kind === 'inf' ? s[o + S_INF]! : s[o + S_INF]! + s[o + S_OVER]!;
}

/**
 * The first watched tensor, in step order, holding an event of `kind` in this step's statistics,
 * as a FirstEvent (`prev`: the step before's statistics, for previousMaxAbs), or null.
 */
export function firstEventIn(
  kind: EventKind,
  step: number,
  points: readonly WatchPoint[],
  s: ArrayLike<number>,
  prev: ArrayLike<number> | null,
): FirstEvent | null {
  for (let row = 0; row < points.length; row++) {
    const count = eventCount(kind, s, row);
    if (count <= 0) continue;
    const p = points[row]!;
    return {
      kind,
      step,
      phase: p.phase,
      layer: p.layer,
      tensor: p.tensor,
      ...(p.param ? { param: p.param } : {}),
      count,
      size: p.size,
      maxAbs: s[row * NUM_STATS + S_MAXABS]!,
      previousMaxAbs: prev ? prev[row * NUM_STATS + S_MAXABS]! : null,
    };
  }
  return null;
}
