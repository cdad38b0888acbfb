import { z } from 'zod';
import { Float } from '../util/float-schema.js';
import { NUM_STATS, S_DEAD, S_INF, S_MAXABS, S_NAN, S_SAT, S_SUMSQ } from './stat-columns.js';
import type { PointRole, WatchPoint } from './watch-points.js';

/** One layer's health at one step, derived from the watchdog's statistics. */
export const LayerHealthSchema = z.object({
  layer: z.string(),
  /** max |x·V| (null where the layer has no separate matrix product, e.g. a user's own layer). */
  maxAbsXV: Float.nullable(),
  /** max |pre-activation| (null where the layer has none). */
  maxAbsPre: Float.nullable(),
  maxAbsActivation: Float,
  /** ‖∂loss/∂(V, g, b)‖ (or of the layer's own weights) before clipping; null for a layer without parameters. */
  gradNorm: Float.nullable(),
  /** ‖V‖ (Frobenius; W or the kernel without weight norm) after the update; null for a layer without one. */
  normV: Float.nullable(),
  /** max |g| after the update (null for plain dense layers). */
  maxAbsG: Float.nullable(),
  /** ‖Δθ‖/‖θ‖ of the main weight matrix at this step's update (null where not watched). */
  updateRatio: Float.nullable().default(null),
  /** Fraction of units ≤ 0 on every row of the batch (relu-like layers). */
  deadFraction: Float.nullable(),
  /** Fraction of pre-activations where a saturating nonlinearity is flat (tanh, sigmoid). */
  saturatedFraction: Float.nullable(),
  /** NaN + Inf entries over all of this layer's watched tensors. */
  nonFinite: Float,
});
export type LayerHealth = z.infer<typeof LayerHealthSchema>;

/** Index of each statistic a layer summary needs, computed once from the watch points' roles. */
export class LayerHealthIndex {
  private readonly byLayer = new Map<string, { all: number[]; role: Map<PointRole, number[]> }>();
  readonly lossRow: number;
  readonly targetRow: number;

  constructor(readonly points: readonly WatchPoint[]) {
    points.forEach((p, i) => {
      if (p.layer === null) return;
      let e = this.byLayer.get(p.layer);
      if (!e) this.byLayer.set(p.layer, (e = { all: [], role: new Map() }));
      e.all.push(i);
      if (p.role) e.role.set(p.role, [...(e.role.get(p.role) ?? []), i]);
    });
    this.lossRow = points.findIndex((p) => p.role === 'loss');
    this.targetRow = points.findIndex((p) => p.role === 'target');
  }

  /** The layers, in the order their first tensor is watched. */
  get layers(): string[] {
    return [...this.byLayer.keys()];
  }

  /** Per-layer summaries of one step's statistics ([points × NUM_STATS], row-major). */
  summarize(stats: ArrayLike<number>): LayerHealth[] {
    const at = (row: number | undefined, col: number) => (row === undefined ? null : stats[row * NUM_STATS + col]!);
    const noFinite = (r: number) => this.noFinite(stats, r);
    /** `value()` of these rows, null where one is not watched, NaN/Inf where one has no finite entry. */
    const over = (rows: readonly (number | undefined)[], value: () => number | null): number | null => {
      if (rows.some((r) => r === undefined)) return null;
      for (const r of rows) {
        const bad = noFinite(r!);
        if (bad !== null) return bad;
      }
      return value();
    };
    return [...this.byLayer].map(([layer, e]) => {
      const one = (role: PointRole) => e.role.get(role)?.[0];
      const pre = one('pre');
      let nonFinite = 0;
      for (const r of e.all) nonFinite += at(r, S_NAN)! + at(r, S_INF)!;
      const kind = pre === undefined ? 'none' : this.points[pre]!.inactivity;
      const weight = one('weight');
      const grads = e.role.get('param-grad') ?? [];
      return {
        layer,
        maxAbsXV: over([one('matmul')], () => at(one('matmul'), S_MAXABS)),
        maxAbsPre: over([pre], () => at(pre, S_MAXABS)),
        maxAbsActivation: over([one('output')], () => at(one('output'), S_MAXABS)) ?? NaN,
        // Nothing measured, nothing reported: a layer without parameters has no gradient norm and no ‖V‖.
        gradNorm: grads.length ? over(grads, () => Math.sqrt(grads.reduce((s, r) => s + at(r, S_SUMSQ)!, 0))) : null,
        normV: over([weight], () => Math.sqrt(at(weight, S_SUMSQ)!)),
        maxAbsG: over([one('gain')], () => at(one('gain'), S_MAXABS)),
        updateRatio: over([one('weight-step'), weight], () => Math.sqrt(at(one('weight-step'), S_SUMSQ)! / at(weight, S_SUMSQ)!)),
        deadFraction: kind === 'dead' ? at(pre, S_DEAD) : null,
        saturatedFraction: kind === 'saturated' ? at(pre, S_SAT) : null,
        nonFinite,
      };
    });
  }

  loss(stats: ArrayLike<number>): number {
    // The loss is one number: a NaN/Inf loss shows in its counts, not in max |x|.
    const o = this.lossRow * NUM_STATS;
    if (stats[o + S_NAN]! > 0) return NaN;
    if (stats[o + S_INF]! > 0) return Infinity;
    return stats[o + S_MAXABS]!;
  }

  /** max |target| of the step, or null where no target is watched (a model whose loss the watcher cannot see into). */
  maxAbsTarget(stats: ArrayLike<number>): number | null {
    if (this.targetRow < 0) return null;
    return this.noFinite(stats, this.targetRow) ?? stats[this.targetRow * NUM_STATS + S_MAXABS]!;
  }

  /**
   * A statistic over a tensor with no finite entry at all is not the 0 that max |x| or Σx² over no
   * entries would give: NaN if it holds a NaN, else Inf; null while some entry is finite.
   */
  private noFinite(stats: ArrayLike<number>, row: number): number | null {
    const size = this.points[row]?.size ?? 0;
    const nan = stats[row * NUM_STATS + S_NAN]!;
    return size > 0 && nan + stats[row * NUM_STATS + S_INF]! >= size ? (nan > 0 ? NaN : Infinity) : null;
  }
}
