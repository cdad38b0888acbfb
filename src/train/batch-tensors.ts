import { tf } from '../util/tfjs.js';
import type { Batch } from '../data/transitions.js';
import { copyRow } from '../util/copy-row.js';
import type { StepInputs } from './step-types.js';

/**
 * Turns a minibatch into the step's input tensors (the caller disposes them). A batch with actions
 * (a Q(s, a) critic) is fed as `cat([state, action], 1)`, row by row, and its bootstrapped values
 * as `cat([next state, next action], 1)`: the critic's first layer takes both (model/critic.ts).
 */
export function batchTensors(b: Batch): StepInputs {
  return {
    states: rowsOf(b, b.states, b.actions),
    partial: tf.tensor2d(b.partial, [b.size, 1]),
    discount: tf.tensor2d(b.discount, [b.size, 1]),
    nextStates: b.nextStates ? rowsOf(b, b.nextStates, b.nextActions) : undefined,
  };
}

/** The batch's input rows, [size, dim] or with the actions after each state [size, dim + actionDim]. */
export function inputRows(b: Batch, states: Float32Array, actions: Float32Array | undefined): Float32Array {
  const A = b.actionDim ?? 0;
  if (!actions || A === 0) return states;
  const D = b.dim;
  const out = new Float32Array(b.size * (D + A));
  for (let i = 0; i < b.size; i++) {
    copyRow(states, i * D, out, i * (D + A), D);
    copyRow(actions, i * A, out, i * (D + A) + D, A);
  }
  return out;
}

function rowsOf(b: Batch, states: Float32Array, actions: Float32Array | undefined): tf.Tensor2D {
  const rows = inputRows(b, states, actions);
  return tf.tensor2d(rows, [b.size, rows.length / b.size]);
}

export function disposeInputs(i: StepInputs): void {
  tf.dispose([i.states, i.partial, i.discount, ...(i.nextStates ? [i.nextStates] : [])]);
}
