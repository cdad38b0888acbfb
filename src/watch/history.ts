import { z } from 'zod';
import { Float } from '../util/float-schema.js';
import { LayerHealthSchema } from './layer-health.js';

/** One point of the training history: the loss, max |target| and every layer's health. */
export const HistoryPointSchema = z.object({
  step: z.int(),
  loss: Float,
  /** null where no target is watched. */
  maxAbsTarget: Float.nullable(),
  layers: z.array(LayerHealthSchema),
});
export type HistoryPoint = z.infer<typeof HistoryPointSchema>;

/**
 * A bounded history: one point every `every` steps; when it holds `capacity` points it drops
 * every other one and doubles `every`, so any run length fits in the same memory and the points
 * stay evenly spread. Steps marked `pin` (first events, the last step) are always kept.
 * Points are stored as they come (raw statistics, say) and turned into HistoryPoints only when
 * read, so the training loop pays for a copy, not for building objects.
 */
export class History<T extends { step: number } = HistoryPoint> {
  private points: T[] = [];
  private pinned = new Set<number>();

  constructor(
    private capacity: number,
    private every = 1,
  ) {}

  get interval(): number {
    return this.every;
  }

  /** Whether a point for `step` would be kept (so the caller can skip building it). */
  wants(step: number): boolean {
    return step % this.every === 0;
  }

  add(p: T, pin = false): void {
    if (pin) this.pinned.add(p.step);
    const last = this.points[this.points.length - 1];
    if (last && last.step === p.step) this.points[this.points.length - 1] = p;
    else this.points.push(p);
    if (this.points.length > this.capacity) {
      this.every *= 2;
      this.points = this.points.filter((q) => q.step % this.every === 0 || this.pinned.has(q.step));
    }
  }

  toArray(): T[] {
    return this.points.slice();
  }
}
