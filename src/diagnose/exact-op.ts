import { tf } from '../util/tfjs.js';
import { fmt } from '../util/number-format.js';
import type { Batch } from '../data/transitions.js';
import { setFusedKernels } from '../engine/js-kernel.js';
import { trainStep } from '../train/step.js';
import type { StepContext, TrainState } from '../train/step-types.js';
import { batchTensors, disposeInputs } from '../train/batch-tensors.js';
import { EventRules } from '../watch/event-rules.js';
import { firstNonFiniteRow } from '../watch/health-kernel.js';
import { Tap } from '../watch/tap.js';
import { describePoint, type WatchPoint } from '../watch/watch-points.js';

export { ExactOpSchema, type ExactOp } from './exact-op-schema.js';
import type { ExactOp } from './exact-op-schema.js';

const SYMBOL: Record<string, string> = {
  Multiply: '×',
  RealDiv: '/',
  Div: '/',
  Sub: '−',
  Add: '+',
  AddV2: '+',
  Maximum: 'max',
  Minimum: 'min',
  Pow: '^',
};

function broadcastIndex(outShape: number[], inShape: number[], flat: number): number {
  const idx: number[] = [];
  let r = flat;
  for (let d = outShape.length - 1; d >= 0; d--) {
    idx[d] = r % outShape[d]!;
    r = Math.floor(r / outShape[d]!);
  }
  let k = 0;
  const off = outShape.length - inShape.length;
  for (let d = 0; d < inShape.length; d++) k = k * inShape[d]! + (inShape[d] === 1 ? 0 : idx[d + off]!);
  return k;
}

function summary(v: ArrayLike<number>): { maxAbs: number; nonFinite: number } {
  let maxAbs = 0;
  let nonFinite = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x)) nonFinite++;
    else if (Math.abs(x) > maxAbs) maxAbs = Math.abs(x);
  }
  return { maxAbs, nonFinite };
}

interface Found {
  kernel: string;
  produced: 'NaN' | 'Inf';
  arithmetic: string;
  inputs: ExactOp['inputs'];
}

/** Explains why `kernel` produced a non-finite value at `at` from its (finite) inputs. */
function explain(kernel: string, ins: tf.Tensor[], out: tf.Tensor, at: number, produced: 'NaN' | 'Inf', names: Map<number, string>): Found {
  const vals = ins.map((t) => t.dataSync() as Float32Array);
  const elementwise = ins.every((t) => t.rank <= out.rank) && !/MatMul|Sum|Mean|Max$|Min$|Prod|Concat|AddN/.test(kernel);
  const inputs = ins.map((t, i) => ({
    name: names.get(t.id) ?? null,
    shape: t.shape,
    value: elementwise ? vals[i]![broadcastIndex(out.shape, t.shape, at)]! : null,
    ...summary(vals[i]!),
  }));
  let arithmetic: string;
  const v = inputs.map((x) => x.value);
  const named = (i: number) => (inputs[i]?.name ? `${inputs[i]!.name}=${fmt(v[i])}` : fmt(v[i]));
  if (elementwise && ins.length === 2 && SYMBOL[kernel]) {
    arithmetic = `${named(0)} ${SYMBOL[kernel]} ${named(1)} = ${produced}`;
  } else if (elementwise && ins.length === 1) {
    const name = kernel === 'Square' ? `(${named(0)})²` : kernel === 'Sqrt' ? `√(${named(0)})` : `${kernel}(${named(0)})`;
    arithmetic = `${name} = ${produced}${produced === 'Inf' && kernel !== 'Sqrt' ? ' (float32 overflow)' : ''}`;
  } else if (/MatMul/.test(kernel)) {
    arithmetic =
      `a sum of products overflowed: |${inputs[0]!.name ?? 'a'}| up to ${fmt(inputs[0]!.maxAbs)}, ` +
      `|${inputs[1]?.name ?? 'b'}| up to ${fmt(inputs[1]?.maxAbs)} (${produced})`;
  } else if (/Sum|Mean|AddN/.test(kernel)) {
    arithmetic = `a sum of finite values overflowed (max |x| ${fmt(inputs[0]!.maxAbs)}; ${produced})`;
  } else {
    arithmetic = `${kernel} produced ${produced} from finite inputs`;
  }
  return { kernel, produced, arithmetic, inputs };
}

/**
 * Runs `fn` with every tfjs kernel call recorded, and returns the first kernel whose float output
 * holds a NaN or Inf (each op is its own kernel once the fused kernels are off).
 */
function firstBadKernel(fn: () => void, names: Map<number, string>): { first: Found | null; firstNaN: Found | null } {
  const engine = tf.engine() as unknown as {
    runKernel: (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap) => tf.Tensor | tf.Tensor[];
  };
  const original = engine.runKernel;
  let first: Found | null = null;
  let firstNaN: Found | null = null;
  engine.runKernel = function (this: unknown, name, inputs, attrs) {
    const out = original.call(this, name, inputs, attrs);
    if (!firstNaN) {
      const ins = Object.values(inputs).filter((x): x is tf.Tensor => x instanceof tf.Tensor);
      // Only ops whose inputs were all finite are where a value *became* non-finite.
      const fresh = (kind: 'any' | 'nan') =>
        ins.every((x) => x.dtype !== 'float32' || x.dataSync().every((v) => (kind === 'nan' ? !Number.isNaN(v) : Number.isFinite(v))));
      for (const t of Array.isArray(out) ? out : [out]) {
        if (t.dtype !== 'float32') continue;
        const d = t.dataSync();
        if (!first) {
          const at = d.findIndex((x) => !Number.isFinite(x));
          if (at >= 0 && fresh('any')) first = explain(name, ins, t, at, Number.isNaN(d[at]!) ? 'NaN' : 'Inf', names);
        }
        const nanAt = d.findIndex((x) => Number.isNaN(x));
        if (nanAt >= 0 && fresh('nan')) {
          firstNaN = explain(name, ins, t, nanAt, 'NaN', names);
          break;
        }
      }
    }
    return out;
  };
  try {
    fn();
  } finally {
    engine.runKernel = original;
  }
  return { first, firstNaN };
}

/**
 * One step from a saved state, exactly as the training loop runs it (same kernels, every watch
 * point tapped): its health statistics and the watch points they belong to. Nothing is kept.
 */
export function watchedStep(ctx: StepContext, state: TrainState, batch: Batch): { stats: Float32Array; points: WatchPoint[] } {
  const tap = new Tap(true, true);
  const stats = tf.tidy(() => {
    const inputs = batchTensors(batch);
    trainStep(ctx, state, inputs, tap);
    const s = (tap.stats ?? new EventRules(ctx.config.watch).stats(tap.tensors, tap.points)).dataSync() as Float32Array;
    disposeInputs(inputs);
    return s;
  });
  return { stats, points: tap.points };
}

/** The minibatch's first non-finite entry, by array, row and column: a data fault, no kernel to blame. */
function badData(batch: Batch): { produced: 'NaN' | 'Inf'; arithmetic: string } | null {
  const A = batch.actionDim ?? 0;
  const arrays: [string, Float32Array | undefined, number][] = [
    ['states', batch.states, batch.dim],
    ['targets', batch.partial, 1],
    ['next states', batch.nextStates, batch.dim],
    ['actions', batch.actions, A],
    ['next actions', batch.nextActions, A],
  ];
  for (const [what, data, width] of arrays) {
    const at = data ? data.findIndex((x) => !Number.isFinite(x)) : -1;
    if (at < 0) continue;
    const where = `row ${Math.floor(at / width)}${width > 1 ? `, column ${at % width}` : ''}`;
    return {
      produced: Number.isNaN(data![at]!) ? 'NaN' : 'Inf',
      arithmetic: `the minibatch's ${what} hold ${fmt(data![at]!)} at ${where} (a data fault)`,
    };
  }
  return null;
}

/**
 * The exact-op analysis of the first step with a NaN or Inf: replays the step from the state
 * before it (as the live step ran it, and checks the statistics come out bit for bit the same),
 * then replays it once more with each elementary op as its own kernel and names the first op whose
 * output is not finite, with the input values that made it.
 */
export function analyzeFirstNonFinite(info: {
  step: number;
  before: TrainState;
  batch: Batch;
  stats: Float32Array;
  ctx: StepContext;
}): ExactOp {
  const { ctx, before, batch, step } = info;
  const { stats: replayed, points } = watchedStep(ctx, before, batch);
  const row = firstNonFiniteRow(replayed);
  const watchPoint = row >= 0 ? describePoint(points[row]!) : null;
  const reproduced = Buffer.from(replayed.buffer, replayed.byteOffset, replayed.byteLength).equals(
    Buffer.from(info.stats.buffer, info.stats.byteOffset, info.stats.byteLength),
  );
  let found: Found | null;
  let nanFound: Found | null = null;
  const bad = badData(batch);
  if (bad) {
    found = { kernel: 'minibatch', produced: bad.produced, arithmetic: bad.arithmetic, inputs: [] };
  } else {
    setFusedKernels(false);
    try {
      // Inputs are named by identity: parameters, optimizer slots, the minibatch.
      const names = new Map<number, string>();
      before.params.forEach((p, i) => names.set(p.id, ctx.spec.paramNames[i]!));
      before.slots.forEach((slot, k) => slot.forEach((t, i) => names.set(t.id, `slot ${k} of ${ctx.spec.paramNames[i]}`)));
      ({ first: found, firstNaN: nanFound } = firstBadKernel(
        () =>
          tf.tidy(() => {
            const inputs = batchTensors(batch);
            names
              .set(inputs.states.id, batch.actions ? 'states and actions' : 'states')
              .set(inputs.partial.id, 'rewards part of the target')
              .set(inputs.discount.id, 'bootstrap discount');
            if (inputs.nextStates) names.set(inputs.nextStates.id, batch.actions ? 'next states and actions' : 'next states');
            trainStep(ctx, before, inputs);
            disposeInputs(inputs);
          }),
        names,
      ));
    } finally {
      setFusedKernels(true);
    }
  }
  const f = found ?? {
    kernel: 'unknown',
    produced: 'NaN' as const,
    arithmetic: 'no elementary op was found non-finite when the step was replayed op by op',
    inputs: [],
  };
  const nan = nanFound && nanFound !== found && f.produced !== 'NaN' ? nanFound : null;
  return {
    step,
    reproduced,
    watchPoint,
    kernel: f.kernel,
    produced: f.produced,
    arithmetic: f.arithmetic,
    inputs: f.inputs,
    nanOp: nan ? { kernel: nan.kernel, arithmetic: nan.arithmetic, inputs: nan.inputs } : null,
    description:
      `First non-finite value of step ${step}${watchPoint ? ` (seen in ${watchPoint})` : ''}: ` +
      `${f.kernel === 'minibatch' ? '' : `${f.kernel}: `}${f.arithmetic}.` +
      (nan ? ` The first NaN then came from ${nan.kernel}: ${nan.arithmetic}.` : ''),
  };
}
