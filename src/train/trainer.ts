import * as tf from '@tensorflow/tfjs';
import type { Config } from '../config/schema.js';
import type { DataStream } from '../data/data-stream.js';
import type { Batch } from '../data/transitions.js';
import type { CriticSpec } from '../model/critic.js';
import type { Instrument } from '../watch/instrument.js';
import type { StepContext, StepInputs, TrainState } from './step.js';
import { trainEnsemble } from './ensemble.js';

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

/** Turns a minibatch into the step's input tensors (the caller disposes them). */
export function batchTensors(b: Batch): StepInputs {
  return {
    states: tf.tensor2d(b.states, [b.size, b.dim]),
    partial: tf.tensor2d(b.partial, [b.size, 1]),
    discount: tf.tensor2d(b.discount, [b.size, 1]),
    nextStates: b.nextStates ? tf.tensor2d(b.nextStates, [b.size, b.dim]) : undefined,
  };
}

export function disposeInputs(i: StepInputs): void {
  tf.dispose([i.states, i.partial, i.discount, ...(i.nextStates ? [i.nextStates] : [])]);
}

/**
 * The training loop of one run: an ensemble of one (train/ensemble.ts), so a lone run and an
 * ensemble member run the same code. Each step runs inside one tf.tidy that returns only the new
 * parameters, slots and the [points × stats] health tensor; the statistics are read back once per
 * step, then every callback sees them. Tensor count stays constant from step to step.
 */
export async function train(args: TrainArgs): Promise<TrainResult> {
  const { signal, yieldEveryMs, now } = args;
  return (await trainEnsemble({ members: [args], signal, yieldEveryMs, now }))[0]!;
}
