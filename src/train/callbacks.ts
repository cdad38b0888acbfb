import type { CriticSpec } from '../model/critic.js';
import { Instrument, type WatchBegin, type WatchStep } from '../watch/instrument.js';
import type { TrainState } from './step-types.js';

/** What every callback of critic-doctor's own trainer learns when training starts. */
export interface TrainBeginInfo extends WatchBegin {
  spec: CriticSpec;
}

/** What a callback of the trainer sees after each step. */
export interface StepLogs extends WatchStep {
  /** Parameters and slots after the step (read-only: callbacks must not dispose them). */
  state: TrainState;
}

/**
 * A callback of critic-doctor's own trainer: an Instrument that may also look at the critic's
 * spec and the training state. Instruments (the watchdog) need neither.
 */
export abstract class TrainCallback extends Instrument {
  override onTrainBegin(_info: TrainBeginInfo): void {}
  override onStepEnd(_step: number, _logs: StepLogs): void {}
}
