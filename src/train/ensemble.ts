import { tf } from '../util/tfjs.js';
import { runFusedLockstep, type Fused } from '../engine/fused-call.js';
import { EventRules } from '../watch/event-rules.js';
import { firstNonFiniteRow } from '../watch/health-kernel.js';
import type { WatchBegin, WatchStep } from '../watch/instrument.js';
import { Tap } from '../watch/tap.js';
import type { WatchPoint } from '../watch/watch-points.js';
import { createOptimizer } from './optimizers.js';
import { trainStepSteps } from './step.js';
import type { StepContext, TrainState } from './step-types.js';
import type { TargetNetworkConfig } from '../config/schema.js';
import { batchTensors, disposeInputs } from './batch-tensors.js';
import type { StepRecord, StopReason, TrainArgs, TrainResult } from './train-types.js';

export interface EnsembleArgs {
  /**
   * The members: each a whole run (config, data, state, callbacks); shapes may differ. A member's
   * `seconds` in its result is its share of the ensemble's time (each step's time split evenly
   * among the members running it).
   */
  members: readonly TrainArgs[];
  /** Stops every member after the step in progress when aborted (SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Give the event loop a turn at least this often, so signals and progress bars get through. */
  yieldEveryMs?: number;
  now?: () => number;
}

/** A member's progress through the loop. */
interface Member {
  args: TrainArgs;
  ctx: StepContext;
  rules: EventRules;
  state: TrainState;
  points?: WatchPoint[];
  stepsRun: number;
  stopReason?: StopReason;
  stopDetail?: string;
  sawNonFinite: boolean;
  seconds: number;
}

/**
 * Trains several runs as one computation: at every step each running member's training step and
 * statistics run in lockstep (engine/fused-call.ts), so each fused JS kernel is one dispatch for
 * all members, while the matmuls and composed ops run per member on that member's own tensors.
 * Every member therefore computes exactly what its lone run computes — same minibatches, same
 * arithmetic, same events and history, bit for bit — only the dispatches are shared. A member
 * that stops (NaN with stopOnNaN, its step budget, a callback) is frozen there: its state is no
 * longer updated, its callbacks have ended and its result is final, while the others go on.
 */
// eslint-disable-next-line max-lines-per-function -- the training loop: one pass per step, kept whole so its order is visible
export async function trainEnsemble(args: EnsembleArgs): Promise<TrainResult[]> {
  const now = args.now ?? (() => performance.now());
  const members: Member[] = args.members.map((a) => {
    const ctx = { spec: a.spec, config: a.config, optimizer: createOptimizer(a.config.optimizer) };
    return { args: a, ctx, rules: new EventRules(a.config.watch), state: a.state, stepsRun: 0, sawNonFinite: false, seconds: 0 };
  });
  const syncRead = tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu';
  const t0 = now();
  let lastYield = t0;
  let lastStep = t0;
  const finish = (m: Member, reason: StopReason, detail?: string) => {
    m.stopReason = reason;
    m.stopDetail = detail;
    for (const cb of m.args.callbacks) cb.onTrainEnd();
    if (m.state.target) tf.dispose(m.state.target);
    m.state = { ...m.state, target: undefined };
  };

  for (let step = 0; ; step++) {
    if (args.signal?.aborted) for (const m of members) if (!m.stopReason) finish(m, 'interrupted');
    for (const m of members) if (!m.stopReason && step >= m.args.steps) finish(m, 'completed');
    const running = members.filter((m) => !m.stopReason);
    if (!running.length) break;

    const batches = running.map((m) => {
      if (step === m.args.failAtStep) throw new Error(`injected engine fault at step ${step} (CRITIC_DOCTOR_INJECT_FAULT)`);
      m.state = { ...m.state, target: nextTarget(m.args.config.data.targetNetwork, m.state, step) };
      return m.args.stream.sampler.next();
    });
    const inputs = batches.map(batchTensors);
    const outs = tf.tidy(() =>
      runFusedLockstep(
        running.map(function* (m, i): Fused<{ params: tf.Tensor[]; slots: tf.Tensor[][]; buffers: tf.Tensor[]; stats: tf.Tensor2D }> {
          const first = m.points === undefined;
          const tap = new Tap(first, true);
          const r = yield* trainStepSteps(m.ctx, m.state, inputs[i]!, tap);
          if (first) m.points = tap.points;
          // The whole-step kernel computes the statistics itself (train/whole-step.ts).
          const stats = tap.stats ?? (yield* m.rules.statsSteps(tap.tensors, m.points!));
          return { params: r.params, slots: r.slots, buffers: r.buffers, stats };
        }),
      ),
    );
    inputs.forEach(disposeInputs);

    for (const [i, m] of running.entries()) {
      const out = outs[i]!;
      const before = m.state;
      m.state = { params: out.params, slots: out.slots, iteration: before.iteration + 1, buffers: out.buffers, target: before.target };
      // CPU-side backends hold the data already: a synchronous read skips a promise per step.
      const stats = (syncRead ? out.stats.dataSync() : await out.stats.data()) as Float32Array;
      out.stats.dispose();
      m.stepsRun = step + 1;
      const batch = batches[i]!;
      const record = (): StepRecord => ({ step, before, batch, stats, ctx: m.ctx, sampler: m.args.stream.sampler.getState() });
      if (m.args.onFirstNonFinite && !m.sawNonFinite && firstNonFiniteRow(stats) >= 0) {
        m.sawNonFinite = true;
        m.args.onFirstNonFinite(record());
      }
      const callbacks = m.args.callbacks;
      if (step === 0)
        for (const cb of callbacks) cb.onTrainBegin({ spec: m.ctx.spec, steps: m.args.steps, points: m.points! } as WatchBegin);
      for (const cb of callbacks) cb.onStepEnd(step, { stats, state: m.state } as WatchStep);
      m.args.afterStep?.(step, record);
      // The state before the step is kept until here, for replays and dumps.
      const kept = new Set(m.state.buffers ?? []);
      tf.dispose([...before.params, ...before.slots.flat(), ...(before.buffers ?? []).filter((b) => !kept.has(b))]);
      const stopper = callbacks.find((cb) => cb.stopTraining);
      if (stopper) finish(m, 'stopped', stopper.stopReason);
    }
    // Each running member is charged an equal share of the step's time: a member's seconds are
    // what its run cost inside the ensemble, and they add up to the ensemble's time.
    const t = now();
    for (const m of running) m.seconds += (t - lastStep) / 1000 / running.length;
    lastStep = t;
    if (t - lastYield > (args.yieldEveryMs ?? 100)) {
      lastYield = t;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return members.map((m) => ({
    state: m.state,
    stepsRun: m.stepsRun,
    stopReason: m.stopReason!,
    ...(m.stopDetail !== undefined ? { stopDetail: m.stopDetail } : {}),
    seconds: m.seconds,
  }));
}

/**
 * The target network before step `step`: a copy of the critic at step 0; then a hard copy every
 * `updateEvery` steps, or with τ, after every update (every `updateEvery`th), target·(1 − τ) +
 * τ·θ in float32 as SB3's polyak_update — mul_(1 − τ), then add(θ, alpha = τ), whose AVX2 build
 * fuses τ·θ + · into one rounding where we round twice (docs/numerics.md).
 */
function nextTarget(tn: TargetNetworkConfig | undefined, state: TrainState, step: number): tf.Tensor[] | undefined {
  if (!tn) return undefined;
  const every = tn.updateEvery ?? 1;
  const old = state.target;
  if (old && (step % every !== 0 || step === 0)) return old;
  const next =
    old && tn.tau !== undefined
      ? tf.tidy(() => old.map((t, i) => tf.add(tf.mul(t, Math.fround(1 - tn.tau!)), tf.mul(state.params[i]!, Math.fround(tn.tau!)))))
      : state.params.map((p) => tf.clone(p));
  if (old) tf.dispose(old);
  return next.map((t) => tf.keep(t));
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
