import path from 'node:path';
import { DataError } from '../config/errors.js';
import type { Config, RecordedDataConfig } from '../config/schema.js';
import { BatchSampler } from './batch-sampler.js';
import { Rng } from './rng.js';
import { dropTruncatedTail, fixedPlan, gaePlan, monteCarloPlan, nStepPlan } from './discount.js';
import { loadRecorded } from './recorded/load-recorded.js';
import type { BadRowPolicy } from './recorded/recorded-data.js';
import { fixedNormalizer, runningNormalizer } from './state-normalizer.js';
import { syntheticTransitions } from './synthetic.js';
import type { TargetPlan, Transitions } from './transitions.js';

/** What training needs from any data source: a rollout, its target plan and a sampler over it. */
export interface DataStream {
  transitions: Transitions;
  plan: TargetPlan;
  sampler: BatchSampler;
  /** One line for report headers. */
  description: string;
  /** Recorded rows dropped as bad (--allow-bad-rows drop). */
  droppedRows: number;
}

export interface DataStreamOptions {
  /** Folder recorded data paths are relative to (the config file's). */
  baseDir?: string;
  badRows?: BadRowPolicy;
}

/** Seeds of the data stream derive from the run seed, but apart from the initializers' seeds. */
const DATA_SALT = 0x5eed_da7a;
const SAMPLER_SALT = 0x5eed_ba7c;
const ACTION_SALT = 0x5eed_ac75;

/** Builds the data stream a config describes (same config + seed → same batches at every step). */
export async function createDataStream(config: Config, opts: DataStreamOptions = {}): Promise<DataStream> {
  const d = config.data;
  const samplerSeed = (config.seed ^ SAMPLER_SALT) >>> 0;
  if (d.source === 'recorded') return recordedStream(config, d, opts, samplerSeed);
  const transitions = syntheticTransitions(d, config.network.inputDim, (config.seed ^ DATA_SALT) >>> 0);
  checkSynthetic(transitions, d.stateScale, d.rewardScale);
  const A = config.network.actionDim;
  if (A) {
    // Q(s, a) on synthetic data: the behaviour policy's actions, uniform in [-1, 1] per dimension.
    const rng = new Rng((config.seed ^ ACTION_SALT) >>> 0);
    transitions.actions = Float32Array.from({ length: transitions.count * A }, () => rng.next() * 2 - 1);
    transitions.actionDim = A;
  }
  const plan = d.targets === 'monteCarlo' ? monteCarloPlan(transitions, d.gamma) : nStepPlan(transitions, d.gamma, d.nStep);
  const transform = stateTransform(d.normalizeStates, transitions);
  const sampler = new BatchSampler(transitions, plan, config.batchSize, d.sampling, samplerSeed, transform);
  const gamma = `(γ=${d.gamma})`;
  const targets =
    d.targets === 'monteCarlo' ? `Monte-Carlo returns ${gamma}` : `bootstrapped ${d.nStep}-step targets ${gamma}${targetNetworkText(d)}`;
  return {
    transitions,
    plan,
    sampler,
    droppedRows: 0,
    description:
      `synthetic, ${d.transitions} transitions, episodes of ${d.episodeLength}, state scale ${d.stateScale}, ` +
      `${d.rewards} rewards ×${d.rewardScale}, ${targets}` +
      `${d.returnNormalization ? ` normalised per batch (ε=${d.returnNormalization.epsilon})` : ''}` +
      `${d.normalizeStates !== 'none' ? `, ${d.normalizeStates} state normalisation` : ''}, ` +
      `${A ? `actions uniform in [-1, 1] (${A} wide), ` : ''}${d.sampling} batches of ${config.batchSize}`,
  };
}

/**
 * Synthetic states and rewards are checked as recorded ones are: up front, so that a value no
 * float32 holds (a `stateScale` or `rewardScale` past 3.4e38) is blamed on the data (exit 2), not
 * found later as a NaN in the first layer. Every batch is drawn from these rows.
 */
function checkSynthetic(t: Transitions, stateScale: number, rewardScale: number): void {
  const at = t.states.findIndex((v) => !Number.isFinite(v));
  if (at >= 0) {
    const [row, column] = [Math.floor(at / t.dim), at % t.dim];
    throw new DataError(
      `synthetic data: state row ${row}, column ${column} is ${t.states[at]} in float32 (data.stateScale ${stateScale}): ` +
        'use a scale float32 can hold (|x| < 3.4e38)',
    );
  }
  const r = t.rewards.findIndex((v) => !Number.isFinite(v));
  if (r >= 0) {
    throw new DataError(
      `synthetic data: reward ${r} is ${t.rewards[r]} in float32 (data.rewardScale ${rewardScale}): ` +
        'use a scale float32 can hold (|r| < 3.4e38)',
    );
  }
}

async function recordedStream(config: Config, d: RecordedDataConfig, opts: DataStreamOptions, samplerSeed: number): Promise<DataStream> {
  const loaded = await loadRecorded(
    d,
    opts.baseDir ?? process.cwd(),
    config.network.inputDim,
    opts.badRows ?? 'error',
    config.network.actionDim,
  );
  let rollout = loaded;
  if (d.truncated === 'drop') {
    const kept = dropTruncatedTail(loaded);
    if (!kept)
      throw new DataError('no episode ends in this file (no done = 1), so data.truncated: drop leaves nothing; use bootstrap', {
        file: d.path,
      });
    rollout = kept;
  }
  const rewards = d.rewardScale === 1 ? rollout.rewards : Float32Array.from(rollout.rewards, (r) => r * d.rewardScale);
  const transitions: Transitions = {
    dim: rollout.dim,
    count: rollout.count,
    states: rollout.states,
    rewards,
    dones: rollout.dones,
    truncations: rollout.truncations,
    nextRow: rollout.nextRow,
    nextStates: rollout.nextStates,
    actions: rollout.actions,
    actionDim: rollout.actionDim,
  };
  const tail = d.truncated === 'bootstrap' ? 'bootstrap' : 'end';
  let plan: TargetPlan;
  switch (d.targets) {
    case 'precomputed':
      plan = fixedPlan(Float32Array.from(rollout.returns!, (r) => r * d.rewardScale));
      break;
    case 'monteCarlo':
      plan = monteCarloPlan(transitions, d.gamma, tail);
      break;
    case 'nStep':
      plan = nStepPlan(transitions, d.gamma, d.nStep, tail);
      break;
    case 'gae':
      plan = gaePlan(transitions, rollout.values!, d.gamma, d.lambda);
      break;
  }
  const unboot = transitions.actions ? withoutNextActionless(plan, transitions.count) : 0;
  if (config.batchSize > transitions.count && d.sampling !== 'random') {
    throw new DataError(`${transitions.count} transitions cannot fill a batch of ${config.batchSize} (batchSize)`, { file: d.path });
  }
  const transform = stateTransform(d.normalizeStates, transitions);
  const sampler = new BatchSampler(transitions, plan, config.batchSize, d.sampling, samplerSeed, transform);
  const targets =
    d.targets === 'nStep'
      ? `bootstrapped ${d.nStep}-step targets (γ=${d.gamma})${targetNetworkText(d)}`
      : d.targets === 'gae'
        ? `GAE λ-returns (γ=${d.gamma}, λ=${d.lambda})`
        : d.targets === 'monteCarlo'
          ? `Monte-Carlo returns (γ=${d.gamma})`
          : 'precomputed returns';
  return {
    transitions,
    plan,
    sampler,
    droppedRows: loaded.droppedRows,
    description:
      `recorded ${path.basename(d.path)}: ${transitions.count} transitions of ${transitions.dim} features (${loaded.stateSource})` +
      `${episodeEnds(transitions, !!transitions.actions)}` +
      `${loaded.droppedRows ? `, ${loaded.droppedRows} bad rows dropped` : ''}, ${targets}` +
      `${d.normalizeStates !== 'none' ? `, ${d.normalizeStates} state normalisation` : ''}` +
      `${d.rewardScale !== 1 ? `, rewards ×${d.rewardScale}` : ''}` +
      `${d.returnNormalization ? `, returns normalised per batch (ε=${d.returnNormalization.epsilon})` : ''}` +
      `${transitions.actions ? `, actions ${transitions.actionDim} wide${plan.bootstraps ? Q_BOOTSTRAP : ''}` : ''}` +
      `${unboot ? `, ${unboot} targets cut at a truncation` : ''}, ${d.sampling} ` +
      `batches of ${config.batchSize}`,
  };
}

/** " from a target network (τ 0.005)" or " from a target network copied every 100 steps", else "". */
function targetNetworkText(d: Config['data']): string {
  const t = d.targetNetwork;
  if (!t) return '';
  const every = t.updateEvery && t.updateEvery > 1 ? ` every ${t.updateEvery} updates` : '';
  return t.tau !== undefined ? ` from a target network (τ ${t.tau}${every})` : ` from a target network copied every ${t.updateEvery} steps`;
}

const Q_BOOTSTRAP = " (Q(s, a): bootstrapped from the data's next action)";

/** ", 12 terminal episode ends, 3 truncated (time limits)" — where the file marks truncations. */
function episodeEnds(t: Transitions, q: boolean): string {
  if (!t.truncations) return '';
  let done = 0;
  let cut = 0;
  for (let i = 0; i < t.count; i++) {
    done += t.dones[i]!;
    cut += t.truncations[i]!;
  }
  // Q(s, a) needs the action after a truncated step to bootstrap from it, which no file records.
  return `, ${done} terminal episode ends, ${cut} truncated (${q ? 'not bootstrapped: no action follows them' : 'bootstrapped'})`;
}

/** The state normalisation a data config asks for: none, fixed (mean/std of all the transitions) or running. */
function stateTransform(mode: 'none' | 'fixed' | 'running', transitions: Transitions) {
  if (mode === 'fixed') return fixedNormalizer(transitions.states, transitions.dim);
  return mode === 'running' ? runningNormalizer(transitions.dim) : undefined;
}

/**
 * Q(s, a) bootstraps from Q(s', a') with the data's own next action: a target whose bootstrap
 * state follows a truncated step (a next state with no action recorded after it) cannot be
 * completed, so it ends there instead (discount 0). Returns how many targets that changed.
 */
function withoutNextActionless(plan: TargetPlan, count: number): number {
  let n = 0;
  for (let t = 0; t < plan.bootIndex.length; t++) {
    if (plan.bootIndex[t]! >= count) {
      plan.bootIndex[t] = -1;
      plan.discount[t] = 0;
      n++;
    }
  }
  return n;
}
