import { tf } from '../util/tfjs.js';
import type { Batch } from '../data/transitions.js';
import type { StepInputs } from './step-types.js';

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
