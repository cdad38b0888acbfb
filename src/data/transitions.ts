/**
 * A rollout as flat typed arrays: the one shape every data source (synthetic now, recorded files
 * later) produces. `dones[t] = 1` means the episode ended after transition t, so state t+1 starts
 * a new one.
 */
export interface Transitions {
  dim: number;
  count: number;
  /** count × dim, row-major. */
  states: Float32Array;
  rewards: Float32Array;
  /** 1 where the episode reached a terminal state after t: nothing is bootstrapped past it. */
  dones: Uint8Array;
  /**
   * 1 where the episode was cut after t by a time limit (D4RL's `timeouts`, Minari's
   * `truncations`), not by a terminal state: its returns bootstrap from the critic's value of the
   * state after t. Treating these as terminals biases every return of the episode.
   */
  truncations?: Uint8Array;
  /** For a truncated t, the row of `nextStates` holding the state after t; -1 where the file does not have it. */
  nextRow?: Int32Array;
  /** States that follow truncated steps (rows × dim): bootstrapped from, never trained on. */
  nextStates?: Float32Array;
  /** The action taken at each t (count × actionDim), for Q(s, a) critics. */
  actions?: Float32Array;
  actionDim?: number;
}

/**
 * How to turn transition t into a regression target:
 * `target_t = partial[t] + discount[t] · v(states[bootIndex[t]])`, with discount 0 where the
 * episode ended (then bootIndex is -1 and nothing is bootstrapped). A bootIndex ≥ count names row
 * `bootIndex − count` of `Transitions.nextStates` (the state after a truncated step).
 */
export interface TargetPlan {
  partial: Float32Array;
  discount: Float32Array;
  bootIndex: Int32Array;
  /** True when any target needs the critic's own value (bootstrapped targets). */
  bootstraps: boolean;
}

/** One minibatch, gathered into typed arrays ready to become tensors. */
export interface Batch {
  size: number;
  dim: number;
  states: Float32Array;
  partial: Float32Array;
  discount: Float32Array;
  /** Present when the plan bootstraps: the states whose value completes the target. */
  nextStates?: Float32Array;
  /** Transition indices, for dumps and replays. */
  indices: Int32Array;
  /** Q(s, a): the batch's actions (size × actionDim), and the actions the bootstrapped values take (the data's next actions). */
  actions?: Float32Array;
  nextActions?: Float32Array;
  actionDim?: number;
}
