import type { RecordedRollout } from './recorded-data.js';

/** A Float32Array that grows by doubling (typed storage while streaming rows, no array of objects). */
export class GrowableF32 {
  private buf: Float32Array;
  length = 0;
  constructor(initial = 1024) {
    this.buf = new Float32Array(initial);
  }
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  /** Overwrites value i (< length). */
  set(i: number, v: number): void {
    this.buf[i] = v;
  }
  /** Drops the last `n` values (a row that turned out bad). */
  truncate(n: number): void {
    this.length = n;
  }
  toArray(): Float32Array {
    return this.buf.slice(0, this.length);
  }
}

/** Collects a rollout's columns row by row into typed arrays (the CSV and JSONL readers share it). */
export class RolloutCollector {
  readonly states = new GrowableF32(1 << 16);
  private readonly rewards = new GrowableF32();
  private readonly dones = new GrowableF32();
  private readonly returns?: GrowableF32;
  private readonly values?: GrowableF32;
  /** Q(s, a) data: each row's actions, pushed with its states. */
  readonly actions?: GrowableF32;
  count = 0;

  constructor(withReturns: boolean, withValues: boolean, withActions = false) {
    if (withReturns) this.returns = new GrowableF32();
    if (withValues) this.values = new GrowableF32();
    if (withActions) this.actions = new GrowableF32();
  }

  /** Completes a row whose states were pushed already. */
  addRow(reward: number, done: number, ret: number, value: number): void {
    this.rewards.push(reward);
    this.dones.push(done);
    this.returns?.push(ret);
    this.values?.push(value);
    this.count++;
  }

  finish(dim: number, droppedRows: number, stateSource: string, actionDim?: number): RecordedRollout {
    return {
      dim,
      count: this.count,
      states: this.states.toArray(),
      rewards: this.rewards.toArray(),
      dones: Uint8Array.from(this.dones.toArray()),
      returns: this.returns?.toArray(),
      values: this.values?.toArray(),
      ...(this.actions && actionDim ? { actions: this.actions.toArray(), actionDim } : {}),
      droppedRows,
      stateSource,
    };
  }
}
