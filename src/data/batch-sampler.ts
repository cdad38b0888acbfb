import { Rng } from './rng.js';
import { copyRow } from '../util/copy-row.js';
import type { Batch, TargetPlan, Transitions } from './transitions.js';

export type Sampling = 'random' | 'shuffled' | 'sequential';

/** Serializable sampler position: restoring it replays the same minibatches. */
export interface SamplerState {
  rng: { s: number; spare: number | null };
  cursor: number;
  /** The current epoch's order (shuffled sampling). */
  order: number[] | null;
}

/** Maps raw states to what the critic sees (state normalisation); may learn from each batch. */
export interface StateTransform {
  /** Called once per batch, before `apply`, with the batch's raw states. */
  observe?(states: Float32Array, rows: number): void;
  apply(states: Float32Array, rows: number): void;
}

/**
 * Draws minibatches from a rollout: uniformly with replacement (a replay buffer), shuffled epochs
 * (a fresh seeded permutation each pass, as PPO's minibatches), or in order, wrapping around. The
 * batches depend only on the seed and the step, never on the network, so runs that differ only in
 * activation see the same data.
 */
export class BatchSampler {
  private readonly rng: Rng;
  private cursor = 0;
  private order: Int32Array | null = null;

  constructor(
    readonly data: Transitions,
    readonly plan: TargetPlan,
    readonly batchSize: number,
    readonly sampling: Sampling,
    seed: number,
    readonly transform?: StateTransform,
  ) {
    this.rng = new Rng(seed);
  }

  private nextShuffled(): number {
    if (!this.order || this.cursor >= this.order.length) {
      const o = Int32Array.from({ length: this.data.count }, (_, i) => i);
      for (let i = o.length - 1; i > 0; i--) {
        const j = this.rng.int(i + 1);
        const t = o[i]!;
        o[i] = o[j]!;
        o[j] = t;
      }
      this.order = o;
      this.cursor = 0;
    }
    return this.order[this.cursor++]!;
  }

  next(): Batch {
    const B = this.batchSize;
    const indices = new Int32Array(B);
    for (let i = 0; i < B; i++) {
      if (this.sampling === 'random') indices[i] = this.rng.int(this.data.count);
      else if (this.sampling === 'shuffled') indices[i] = this.nextShuffled();
      else {
        indices[i] = this.cursor;
        this.cursor = (this.cursor + 1) % this.data.count;
      }
    }
    return this.gather(indices);
  }

  /** The batch for given transition indices (replays use it). */
  gather(indices: Int32Array): Batch {
    const { dim } = this.data;
    const B = indices.length;
    const states = new Float32Array(B * dim);
    const partial = new Float32Array(B);
    const discount = new Float32Array(B);
    const nextStates = this.plan.bootstraps ? new Float32Array(B * dim) : undefined;
    for (let i = 0; i < B; i++) {
      const t = indices[i]!;
      copyRow(this.data.states, t * dim, states, i * dim, dim);
      partial[i] = this.plan.partial[t]!;
      discount[i] = this.plan.discount[t]!;
      const bi = this.plan.bootIndex[t]!;
      // A terminal transition has discount 0; its next state is left zero and never matters.
      if (nextStates && bi >= 0) {
        // A bootstrap index names a transition's state, or (≥ count) one that follows a truncated step.
        const { count } = this.data;
        const from = bi < count ? this.data.states : this.data.nextStates!;
        copyRow(from, (bi < count ? bi : bi - count) * dim, nextStates, i * dim, dim);
      }
    }
    if (this.transform) {
      this.transform.observe?.(states, B);
      this.transform.apply(states, B);
      if (nextStates) this.transform.apply(nextStates, B);
    }
    const batch: Batch = { size: B, dim, states, partial, discount, nextStates, indices };
    const { actions: acts, actionDim: A } = this.data;
    if (acts && A) {
      // Q(s, a): each row's action, and for a bootstrapped row the data's own action at the state
      // it bootstraps from (a bootstrap index is always a transition of the file in Q mode).
      batch.actionDim = A;
      batch.actions = new Float32Array(B * A);
      batch.nextActions = nextStates ? new Float32Array(B * A) : undefined;
      for (let i = 0; i < B; i++) {
        const t = indices[i]!;
        copyRow(acts, t * A, batch.actions, i * A, A);
        const bi = this.plan.bootIndex[t]!;
        if (batch.nextActions && bi >= 0 && bi < this.data.count) copyRow(acts, bi * A, batch.nextActions, i * A, A);
      }
    }
    return batch;
  }

  getState(): SamplerState {
    return { rng: this.rng.getState(), cursor: this.cursor, order: this.order ? Array.from(this.order) : null };
  }

  setState(st: SamplerState): void {
    this.rng.setState(st.rng);
    this.cursor = st.cursor;
    this.order = st.order ? Int32Array.from(st.order) : null;
  }
}
