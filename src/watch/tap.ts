import type { tf } from '../util/tfjs.js';
import type { InactivityMode, Phase, PointRole, WatchPoint } from './watch-points.js';

/**
 * Collects the tensors a training step makes, in the order it makes them, with their names.
 * The training step calls `add` at every point the watchdog should see; the order defines which
 * event is "first" within a step.
 */
export class Tap<T extends { size: number } = tf.Tensor> {
  readonly tensors: T[] = [];
  readonly points: WatchPoint[] = [];
  /**
   * The statistics of every point, when the step computed them itself (train/whole-step.ts: its
   * tensors never leave the kernel); otherwise the watchdog computes them from `tensors`.
   */
  stats?: tf.Tensor2D;

  /**
   * With `names` false only the tensors are collected: the names are the same every step. With
   * `statsOnly` the caller wants the statistics and points, not the tensors: the step may then
   * compute the statistics inside one kernel and hand over none of its tensors (`stats`).
   */
  constructor(
    readonly names = true,
    readonly statsOnly = false,
  ) {}

  add(
    phase: Phase,
    layer: string | null,
    tensor: string,
    t: T,
    opts: { param?: string; inactivity?: InactivityMode; saturationThreshold?: number; role?: PointRole } = {},
  ): void {
    this.tensors.push(t);
    if (!this.names) return;
    this.points.push({
      phase,
      layer,
      tensor,
      param: opts.param,
      key: `${phase}/${layer ?? '-'}/${tensor}`,
      size: t.size,
      inactivity: opts.inactivity ?? 'none',
      saturationThreshold: opts.saturationThreshold ?? Infinity,
      ...(opts.role ? { role: opts.role } : {}),
    });
  }
}
