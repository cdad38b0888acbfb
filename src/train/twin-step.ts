import { tf } from '../util/tfjs.js';
import type { CriticSpec, LayerSpec } from '../model/critic.js';
import { criticValueSteps } from '../engine/critic-forward.js';
import type { Fused } from '../engine/fused-call.js';
import { Tap } from '../watch/tap.js';
import type { StepContext, StepInputs, StepOutput, TrainState } from './step-types.js';

/** One critic of several: its own chain spec, and where its parameters and buffers sit in the whole list. */
interface Head {
  name: string;
  ctx: StepContext;
  params: number[];
  buffers: number[];
}

// Per member context: the heads' contexts must be the same objects every step (whole-step plans are cached by context).
const HEADS = new WeakMap<StepContext, Head[]>();

/**
 * A step of `network.critics` critics (TD3's and SAC's twin Q heads): the target r + γ·min_i
 * Q_i′(s′, a′) from every head's bootstrap value (the target networks' where there are some,
 * as SB3's `th.min(th.cat(critic_target(…)), dim=1)`), then each head's own training step on that
 * target — the whole-step kernel or the per-layer path, exactly as a lone critic's — head after
 * head. The heads' losses add up, as TD3's `sum(mse(q_i, target))`: each head's gradient is its
 * own MSE's. Watch points keep each head's layer names; a head's target and loss are named by it
 * (`loss of qf1`); the run's loss and target in the history are the first head's.
 */
export function* twinStepSteps(
  ctx: StepContext,
  state: TrainState,
  inputs: StepInputs,
  step: (ctx: StepContext, state: TrainState, inputs: StepInputs, tap?: Tap) => Fused<StepOutput>,
  tap?: Tap,
): Fused<StepOutput> {
  const heads = headsOf(ctx);
  const buffers = state.buffers ?? [];
  let target = inputs.partial;
  if (inputs.nextStates) {
    const values: tf.Tensor2D[] = [];
    for (const h of heads) {
      const params = h.params.map((i) => (state.target ?? state.params)[i]!);
      values.push(
        yield* criticValueSteps(
          h.ctx.spec,
          params,
          inputs.nextStates,
          h.buffers.map((i) => buffers[i]!),
        ),
      );
    }
    const least = values.reduce((a, b) => tf.minimum(a, b));
    target = tf.where(
      tf.greater(inputs.discount, 0),
      tf.add(inputs.partial, tf.mul(inputs.discount, least)),
      inputs.partial,
    ) as tf.Tensor2D;
  }
  // Each head trains on the same precomputed target: no bootstrap of its own.
  const headInputs: StepInputs = { states: inputs.states, partial: target, discount: inputs.discount };
  const outs: StepOutput[] = [];
  const taps: Tap[] = [];
  for (const h of heads) {
    const sub: TrainState = {
      params: h.params.map((i) => state.params[i]!),
      slots: state.slots.map((slot) => h.params.map((i) => slot[i]!)),
      iteration: state.iteration,
      buffers: h.buffers.map((i) => buffers[i]!),
    };
    const headTap = tap ? new Tap(tap.names, tap.statsOnly) : undefined;
    outs.push(yield* step(h.ctx, sub, headInputs, headTap));
    if (headTap) taps.push(headTap);
  }
  if (tap) mergeTaps(tap, taps, heads);
  return {
    params: gather(state.params.length, heads, (h, k) => outs[h]!.params[k]!),
    slots: state.slots.map((_, s) => gather(state.params.length, heads, (h, k) => outs[h]!.slots[s]![k]!)),
    loss: outs.map((o) => o.loss).reduce((a, b) => tf.add(a, b)),
    buffers: buffers.map((b, i) => {
      const h = heads.findIndex((x) => x.buffers.includes(i));
      return h < 0 ? b : outs[h]!.buffers[heads[h]!.buffers.indexOf(i)]!;
    }),
  };
}

/** The whole list from the heads' parts: entry `i` from the head that owns it. */
function gather(n: number, heads: Head[], pick: (head: number, k: number) => tf.Tensor): tf.Tensor[] {
  const out: tf.Tensor[] = new Array(n);
  heads.forEach((h, j) => h.params.forEach((i, k) => (out[i] = pick(j, k))));
  return out;
}

/** The heads' points (a head's whole-critic points, target and loss, named by the head) and statistics, head after head. */
function mergeTaps(tap: Tap, taps: Tap[], heads: Head[]): void {
  taps.forEach((t, j) => {
    tap.tensors.push(...t.tensors);
    for (const p of t.points) {
      const tensor = p.layer === null ? `${p.tensor} of ${heads[j]!.name}` : p.tensor;
      tap.points.push({ ...p, tensor, key: `${p.phase}/${p.layer ?? '-'}/${tensor}` });
    }
  });
  if (taps.every((t) => t.stats)) tap.stats = tf.concat(taps.map((t) => t.stats!)) as tf.Tensor2D;
}

function headsOf(ctx: StepContext): Head[] {
  let heads = HEADS.get(ctx);
  if (!heads) HEADS.set(ctx, (heads = splitHeads(ctx)));
  return heads;
}

/** Each critic as a chain spec of its own, its parameter and buffer indices rebased to its part of the lists. */
function splitHeads(ctx: StepContext): Head[] {
  const { spec } = ctx;
  return Array.from({ length: spec.heads }, (_, head) => {
    const layers = spec.layers.filter((l) => l.head === head);
    const params: number[] = [];
    const buffers: number[] = [];
    const p = (i: number | undefined) => (i === undefined ? undefined : params.push(i) - 1);
    const b = (i: number | undefined) => (i === undefined ? undefined : buffers.push(i) - 1);
    const rebased: LayerSpec[] = layers.map((l) => ({
      ...l,
      vIndex: p(l.vIndex)!,
      gIndex: p(l.gIndex),
      bIndex: p(l.bIndex)!,
      gammaIndex: p(l.gammaIndex),
      betaIndex: p(l.betaIndex),
      meanBuffer: b(l.meanBuffer),
      varianceBuffer: b(l.varianceBuffer),
      ...(l.residualFrom !== undefined ? { residualFrom: l.residualFrom - layers[0]!.index } : {}),
      head: 0,
    }));
    const headSpec: CriticSpec = {
      inputDim: spec.inputDim,
      actionDim: spec.actionDim,
      layers: rebased,
      heads: 1,
      paramNames: params.map((i) => spec.paramNames[i]!),
      paramShapes: params.map((i) => spec.paramShapes[i]!),
      bufferNames: buffers.map((i) => spec.bufferNames[i]!),
    };
    return { name: `qf${head}`, ctx: { ...ctx, spec: headSpec }, params, buffers };
  });
}
