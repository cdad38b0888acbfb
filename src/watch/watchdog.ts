import type { WatchConfig } from '../config/schema.js';
import { firstEventIn } from './event-rules.js';
import type { EventKind, FirstEvents } from './events.js';
import { History, type HistoryPoint } from './history.js';
import { Instrument, type WatchBegin, type WatchStep } from './instrument.js';
import { LayerHealthIndex } from './layer-health.js';
import type { WatchPoint } from './watch-points.js';

/** The per-layer picture at one step, kept for the report's tables. */
export type Snapshot = HistoryPoint;

/**
 * Watches every step's statistics and records, for NaN, Inf and explosion (|x| above the
 * threshold, Inf included), the first step and the first tensor in step order where it appeared,
 * with the same tensor's max |x| on the step before. Keeps a bounded history and the per-layer
 * pictures at the last healthy step and at each first event. Asks training to stop at the first
 * NaN when `stopOnNaN` (every later step would be NaN too).
 */
export class Watchdog extends Instrument {
  readonly first: FirstEvents = { nan: null, inf: null, explosion: null };
  private readonly raw: History<{ step: number; stats: Float32Array }>;
  points: readonly WatchPoint[] = [];
  /** The step before the first event of any kind (or the last step of a healthy run). */
  lastHealthy: Snapshot | null = null;
  readonly atEvent: Partial<Record<EventKind, Snapshot>> = {};
  lastStep: Snapshot | null = null;
  private index?: LayerHealthIndex;
  private prev: Float32Array | null = null;
  private prevStep = -1;

  constructor(
    private readonly cfg: WatchConfig,
    steps: number,
  ) {
    super();
    const every = cfg.historyEvery ?? Math.max(1, Math.ceil(steps / cfg.historySize));
    this.raw = new History(cfg.historySize, every);
  }

  override onTrainBegin(info: WatchBegin): void {
    this.points = info.points;
    this.index = new LayerHealthIndex(info.points);
  }

  /** Attaches where in its tensor the first event of `kind` is (an input's row, column and value). */
  locate(kind: EventKind, at: NonNullable<FirstEvents['nan']>['at']): void {
    const e = this.first[kind];
    if (e) this.first[kind] = { ...e, at };
  }

  /** Steps whose statistics this watchdog has seen. */
  get stepsSeen(): number {
    return this.prevStep + 1;
  }

  override onStepEnd(step: number, logs: WatchStep): void {
    const s = logs.stats;
    const found = this.scan(step, s);
    if (found.length > 0) {
      if (this.lastHealthy === null && this.prev) this.lastHealthy = this.snapshot(this.prevStep, this.prev);
      const snap = this.snapshot(step, s);
      for (const k of found) this.atEvent[k] = snap;
      this.raw.add({ step, stats: s }, true);
    } else if (this.raw.wants(step)) {
      this.raw.add({ step, stats: s });
    }
    this.prev = s;
    this.prevStep = step;
    if (this.first.nan && this.cfg.stopOnNaN) {
      this.stopTraining = true;
      this.stopReason = `NaN at step ${this.first.nan.step} (watch.stopOnNaN)`;
    }
  }

  override onTrainEnd(): void {
    if (this.prev) {
      this.lastStep = this.snapshot(this.prevStep, this.prev);
      this.raw.add({ step: this.prevStep, stats: this.prev }, true);
      if (!this.first.nan && !this.first.inf && !this.first.explosion) this.lastHealthy = this.lastStep;
    }
  }

  /** Records first events found at this step; returns the kinds that are new. */
  private scan(step: number, s: Float32Array): EventKind[] {
    const found: EventKind[] = [];
    for (const kind of ['nan', 'inf', 'explosion'] as const) {
      if (this.first[kind] !== null) continue;
      const ev = firstEventIn(kind, step, this.points, s, this.prev);
      if (ev) {
        this.first[kind] = ev;
        found.push(kind);
      }
    }
    return found;
  }

  /** Points kept every `historyInterval` steps (plus the first events' and the last), oldest first. */
  history(): HistoryPoint[] {
    return this.raw.toArray().map((p) => this.snapshot(p.step, p.stats));
  }

  get historyInterval(): number {
    return this.raw.interval;
  }

  private snapshot(step: number, s: Float32Array): Snapshot {
    const idx = this.index!;
    return { step, loss: idx.loss(s), maxAbsTarget: idx.maxAbsTarget(s), layers: idx.summarize(s) };
  }
}
