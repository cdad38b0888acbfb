import type { Config } from '../config/schema.js';
import type { DataStream } from '../data/data-stream.js';
import type { Batch } from '../data/transitions.js';
import type { CriticSpec } from '../model/critic.js';
import type { Instrument } from '../watch/instrument.js';
import type { StepContext, TrainState } from './step-types.js';

export interface TrainArgs {
  config: Config;
  spec: CriticSpec;
  stream: DataStream;
  state: TrainState;
  steps: number;
  /** Instruments (the watchdog) and trainer callbacks (progress bars), called in this order. */
  callbacks: Instrument[];
  /** Stops after the step in progress when aborted (SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Give the event loop a turn at least this often, so signals and progress bars get through. */
  yieldEveryMs?: number;
  now?: () => number;
  /** Fault injection for tests: throw as a failing backend would, at this step. */
  failAtStep?: number;
  /**
   * Called at the first step whose statistics hold a NaN or Inf, with the state *before* that step
   * and its minibatch (both still alive), so the step can be replayed and its arithmetic traced.
   */
  onFirstNonFinite?: (info: StepRecord) => void;
  /**
   * Called after every step's callbacks, while the state before the step is still alive (dumps);
   * `record` builds the full record on demand.
   */
  afterStep?: (step: number, record: () => StepRecord) => void;
}

/** A step as it ran: the state before it, its minibatch, its statistics. */
export interface StepRecord {
  step: number;
  before: TrainState;
  batch: Batch;
  stats: Float32Array;
  ctx: StepContext;
  /** The sampler's position after drawing this batch (to continue from a dump). */
  sampler: ReturnType<DataStream['sampler']['getState']>;
}

export type StopReason = 'completed' | 'stopped' | 'interrupted';

export interface TrainResult {
  /** Parameters and slots after the last step (the caller disposes them). */
  state: TrainState;
  stepsRun: number;
  stopReason: StopReason;
  /** Which callback stopped training, and why. */
  stopDetail?: string;
  seconds: number;
}
