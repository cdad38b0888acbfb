import type { TargetPlan, Transitions } from './transitions.js';

/**
 * How a final episode that the rollout cuts off (last transition not done) is treated:
 * `end` — as if it ended there (synthetic rollouts always end with done);
 * `bootstrap` — its tail is completed by the critic's value of the last recorded state.
 */
export type TruncatedTail = 'end' | 'bootstrap';

/** How transition i ends its episode, if it does: terminal (nothing bootstrapped) or truncated (bootstraps). */
type EndKind = 'terminal' | 'truncated' | null;

function endKind(t: Transitions, i: number, tail: TruncatedTail): EndKind {
  if (t.dones[i]) return 'terminal';
  if (t.truncations?.[i]) return 'truncated';
  // A final episode the rollout cuts off: truncated by the recording itself.
  if (i === t.count - 1) return tail === 'bootstrap' ? 'truncated' : 'terminal';
  return null;
}

/** The bootstrap index of the state after truncated step i (≥ count: a row of nextStates), or -1 when unknown. */
function nextIndex(t: Transitions, i: number): number {
  const row = t.nextRow?.[i] ?? -1;
  return row >= 0 ? t.count + row : -1;
}

/**
 * Monte-Carlo discounted returns, restarting at every terminal `done`. An episode cut by a time
 * limit (`truncations`, or a final episode the rollout cuts off under `bootstrap`) is completed by
 * the critic's value: where the file has the state after the cut step T (D4RL's
 * next_observations, Minari's T+1-th observation), Σ_{k≤T} γ^{k−t} r_k + γ^{T+1−t} v(s'_T);
 * where it does not, the last recorded state stands in: Σ_{k<T} γ^{k−t} r_k + γ^{T−t} v(s_T)
 * (step T's own reward is not counted, and its own target is v(s_T)).
 */
export function monteCarloPlan(t: Transitions, gamma: number, tail: TruncatedTail = 'end'): TargetPlan {
  const partial = new Float32Array(t.count);
  const discount = new Float32Array(t.count);
  const bootIndex = new Int32Array(t.count).fill(-1);
  let bootstraps = false;
  let acc = 0;
  let disc = 0;
  let boot = -1;
  for (let i = t.count - 1; i >= 0; i--) {
    const end = endKind(t, i, tail);
    if (end === 'terminal') {
      acc = 0;
      boot = -1;
    } else if (end === 'truncated') {
      bootstraps = true;
      acc = 0;
      disc = 1;
      boot = nextIndex(t, i);
      if (boot < 0) {
        // The cut step stands in for the state after it: its reward is not counted.
        boot = i;
        partial[i] = 0;
        discount[i] = 1;
        bootIndex[i] = i;
        continue;
      }
    }
    // Accumulate in float64 and round once, as numpy code computing returns in float64 would.
    acc = t.rewards[i]! + gamma * acc;
    partial[i] = acc;
    if (boot >= 0) {
      disc *= gamma;
      discount[i] = disc;
      bootIndex[i] = boot;
    }
  }
  return { partial, discount, bootIndex, bootstraps };
}

/**
 * n-step bootstrapped targets: Σ_{k<m} γ^k r_{t+k} + γ^m v(s_{t+m}), where the sum stops at a
 * terminal `done` (then nothing is bootstrapped) and m = n otherwise. At a truncation the sum stops
 * too and bootstraps from the state after the cut step (or, where the file lacks it, from the cut
 * step's own state, its reward not counted, as for a cut-off final episode under `bootstrap`;
 * `end` treats that final episode as terminal).
 */
export function nStepPlan(t: Transitions, gamma: number, n: number, tail: TruncatedTail = 'end'): TargetPlan {
  const partial = new Float32Array(t.count);
  const discount = new Float32Array(t.count);
  const bootIndex = new Int32Array(t.count).fill(-1);
  for (let i = 0; i < t.count; i++) {
    let acc = 0;
    let g = 1;
    let ended = false;
    let boot = -1;
    let k = 0;
    for (; k < n && i + k < t.count; k++) {
      const j = i + k;
      const end = endKind(t, j, tail);
      if (end === 'truncated' && nextIndex(t, j) < 0) {
        boot = j;
        break;
      }
      acc += g * t.rewards[j]!;
      g *= gamma;
      if (end === 'terminal') {
        ended = true;
        break;
      }
      if (end === 'truncated') {
        boot = nextIndex(t, j);
        break;
      }
    }
    partial[i] = acc;
    if (ended) continue;
    if (boot < 0 && i + k < t.count) boot = i + k;
    if (boot >= 0) {
      bootIndex[i] = boot;
      discount[i] = g;
    }
  }
  return { partial, discount, bootIndex, bootstraps: true };
}

/**
 * GAE(γ, λ) targets from recorded values: δ_t = r_t + γ(1 − d_t) v_{t+1} − v_t,
 * A_t = δ_t + γλ(1 − d_t) A_{t+1}, target_t = A_t + v_t (the λ-return). A cut-off final
 * transition, and a truncated one, take v_{T+1} = v_T (the file has no value past the cut).
 */
export function gaePlan(t: Transitions, values: Float32Array, gamma: number, lambda: number): TargetPlan {
  const partial = new Float32Array(t.count);
  let adv = 0;
  for (let i = t.count - 1; i >= 0; i--) {
    const done = t.dones[i] === 1;
    // A truncated step (or the cut-off last one) has no recorded value after it: v(s_t) stands in.
    const cut = !done && (t.truncations?.[i] === 1 || i + 1 === t.count);
    const vNext = done ? 0 : cut ? values[i]! : values[i + 1]!;
    const delta = t.rewards[i]! + gamma * vNext - values[i]!;
    adv = delta + (done || cut ? 0 : gamma * lambda * adv);
    partial[i] = adv + values[i]!;
  }
  return fixedPlan(partial);
}

/** Targets given as they are (a return column). */
export function fixedPlan(returns: Float32Array): TargetPlan {
  return {
    partial: returns.slice(),
    discount: new Float32Array(returns.length),
    bootIndex: new Int32Array(returns.length).fill(-1),
    bootstraps: false,
  };
}

/** Drops a cut-off final episode (everything after the last done or truncation); null when no episode ends. */
export function dropTruncatedTail<T extends Transitions & { returns?: Float32Array; values?: Float32Array }>(t: T): T | null {
  let end = t.count;
  while (end > 0 && !t.dones[end - 1] && !t.truncations?.[end - 1]) end--;
  if (end === t.count) return t;
  if (end === 0) return null;
  return {
    ...t,
    count: end,
    states: t.states.slice(0, end * t.dim),
    rewards: t.rewards.slice(0, end),
    dones: t.dones.slice(0, end),
    truncations: t.truncations?.slice(0, end),
    nextRow: t.nextRow?.slice(0, end),
    returns: t.returns?.slice(0, end),
    values: t.values?.slice(0, end),
  };
}
