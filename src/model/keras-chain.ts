import { ACTIVATIONS } from '../config/schema.js';
import { fromTfjsActivation } from './activation-names.js';
import { modelError, type KerasModel, type KerasTensor } from './keras-model.js';
import { inputWidth } from './keras-summary.js';
import type { SavedCritic, SavedDense } from './saved-critic.js';
import { foldDenseBlocks, type FoldedNorm } from './keras-fold.js';

/**
 * A Keras model as a critic for the critic engine: a chain of Dense layers (an InputLayer,
 * Sequential or Functional), each with a bias and an activation critic-doctor has, one output
 * unit. Anything else is refused naming the file, the layer and its class.
 */
export function kerasDenseChain(model: KerasModel, action?: string): SavedCritic {
  const m = foldDenseBlocks(model);
  const fail = (why: string): never => modelError(m.file, why);
  const out: SavedDense[] = [];
  const q = qInputConcat(m);
  const later = q ? null : qLaterConcat(m);
  let prev: string | null = null;
  for (const raw of m.layers) {
    // A later concatenation: the layer after it is read as taking the layer before (its action rows apart).
    const l = raw.name === later?.at ? { ...raw, inbound: [later.from] } : raw;
    const onLayer = (why: string): never => fail(`layer ${l.name}: ${why}`);
    if (l.name === later?.concat || l.name === later?.action) continue;
    if (l.className === 'InputLayer' || l.name === q?.concat) {
      prev = l.name;
      continue;
    }
    if (l.className !== 'Dense')
      onLayer(
        `${l.className} is not supported where it stands: critic-doctor trains a chain of Dense layers, each followed at most ` +
          'by a LayerNormalization or BatchNormalization (before its activation), an Activation, a Dropout and an Add of an earlier ' +
          'Dense output',
      );
    const cfg = l.config as { units?: number; activation?: unknown; use_bias?: boolean };
    if (l.inbound && prev !== null && (l.inbound.length !== 1 || l.inbound[0] !== prev))
      onLayer(`takes ${l.inbound.join(', ') || 'nothing'}, not the layer before it: only a chain of Dense layers runs as a critic`);
    if (cfg.use_bias === false) onLayer('use_bias: false is not supported (every critic layer has a bias)');
    if (cfg.activation !== undefined && typeof cfg.activation !== 'string')
      onLayer(`activation ${JSON.stringify(cfg.activation)} is not a named activation`);
    const act = (cfg.activation as string | undefined) ?? 'linear';
    const activation = fromTfjsActivation(act) ?? onLayer(`activation ${act} is not one critic-doctor has (${ACTIVATIONS.join(', ')})`);
    const { kernel, bias } = denseWeights(m.weights.get(l.name), cfg.units ?? 0, onLayer);
    const previous = out[out.length - 1];
    const joined = l.name === later?.at ? later.actionWidth : 0;
    if (previous && kernel.shape[0] !== previous.units + joined)
      onLayer(
        `kernel takes ${kernel.shape[0]} inputs but ${previous.name} gives ${previous.units}${joined ? ` and the action ${joined}` : ''}`,
      );
    out.push({
      name: l.name,
      units: cfg.units!,
      activation,
      ...(typeof (cfg as { alpha?: unknown }).alpha === 'number' ? { alpha: (cfg as { alpha: number }).alpha } : {}),
      kernel: { values: kernel.values, shape: kernel.shape as [number, number] },
      bias: { values: bias.values, shape: bias.shape as [number] },
      ...foldedNorm(m, (cfg as { __norm?: FoldedNorm }).__norm, cfg.units!, onLayer),
      ...(typeof (cfg as { __dropout?: unknown }).__dropout === 'number' ? { dropout: (cfg as { __dropout: number }).__dropout } : {}),
      ...(typeof (cfg as { __residual?: unknown }).__residual === 'string' ? { residual: (cfg as { __residual: string }).__residual } : {}),
    });
    prev = l.name;
  }
  if (out.length === 0) fail('the model has no Dense layer');
  const last = out[out.length - 1]!;
  if (last.units !== 1) fail(`layer ${last.name}: the last layer is the critic's value v(s): expected 1 unit, got ${last.units}`);
  if (q && q.order[0] === action) out[0]!.kernel.values = stateRowsFirst(out[0]!, q.widths[0]);
  if (later) {
    const at = out.find((l) => l.name === later.at)!;
    if (later.actionFirst) at.kernel.values = stateRowsFirst(at, later.actionWidth);
    return { inputDim: out[0]!.kernel.shape[0], layers: out, actionAt: later.at };
  }
  return { inputDim: out[0]!.kernel.shape[0] - (q ? (q.widths[q.order.indexOf(action ?? '')] ?? 0) : 0), layers: out };
}

/** Where a Q(s, a) critic's action joins after its first layer (a Keras TD3 critic). */
export interface LaterConcat {
  /** The Concatenate layer, the action input, and the Dense layer whose input it is before. */
  concat: string;
  action: string;
  from: string;
  at: string;
  actionWidth: number;
  /** cat([action, h]) rather than cat([h, action]): the kernel's rows are rearranged, action rows last. */
  actionFirst: boolean;
}

/**
 * A Q(s, a) critic whose action is concatenated to a Dense layer's output — a Keras TD3 critic's
 * `Dense(400)(obs)`, `Concatenate()([h, act])`, `Dense(300)` — and otherwise a chain of Dense
 * layers from the state input; null for any other model. It runs on the critic engine with
 * `network.actionAt` naming the Dense layer after the concatenation.
 */
export function qLaterConcat(model: KerasModel): LaterConcat | null {
  const m = foldDenseBlocks(model);
  const inputs = m.layers.filter((l) => l.className === 'InputLayer');
  const cats = m.layers.filter((l) => l.className === 'Concatenate');
  const cat = cats[0];
  if (inputs.length !== 2 || cats.length !== 1 || cat!.inbound?.length !== 2) return null;
  const axis = (cat!.config as { axis?: unknown }).axis ?? -1;
  if (axis !== -1 && axis !== 1) return null;
  const isInput = (n: string) => inputs.some((i) => i.name === n);
  const action = cat!.inbound.find(isInput);
  const from = cat!.inbound.find((n) => !isInput(n));
  const after = m.layers.filter((l) => l.inbound?.includes(cat!.name));
  const next = after[0];
  if (!action || !from || after.length !== 1 || next!.className !== 'Dense' || next!.inbound!.length !== 1) return null;
  // Without the concatenation and the action input, the rest must be a chain with `next` fed by `from`.
  const rest = m.layers.filter((l) => l.name !== cat!.name && l.name !== action).map((l) => (l === next ? { ...l, inbound: [from] } : l));
  if (!isDenseChain({ ...m, layers: rest }) || m.layers.some((l) => l !== cat && l.inbound?.includes(action))) return null;
  const actionWidth = inputWidth(
    m,
    inputs.find((i) => i.name === action)!,
  );
  return { concat: cat!.name, action, from, at: next!.name, actionWidth, actionFirst: cat!.inbound[0] === action };
}

/**
 * A Q(s, a) critic whose two inputs are concatenated before its first Dense layer — SB3's and
 * CleanRL's `cat([obs, act], 1)`, as Keras and torch.onnx.export write it: the Concatenate's name,
 * its inputs in its order and their widths; null for any other model. Such a model is a chain on
 * the critic engine, fed `cat([state, action], 1)` (train/batch-tensors.ts).
 */
export function qInputConcat(model: KerasModel): { concat: string; order: [string, string]; widths: [number, number] } | null {
  const m = foldDenseBlocks(model);
  const inputs = m.layers.filter((l) => l.className === 'InputLayer');
  const rest = m.layers.filter((l) => l.className !== 'InputLayer');
  const cat = rest[0];
  if (inputs.length !== 2 || !cat || cat.className !== 'Concatenate' || cat.inbound?.length !== 2) return null;
  const axis = (cat.config as { axis?: unknown }).axis ?? -1;
  if ((axis !== -1 && axis !== 1) || !cat.inbound.every((n) => inputs.some((i) => i.name === n))) return null;
  if (cat.inbound[0] === cat.inbound[1]) return null;
  const chain: KerasModel = { ...m, layers: [inputs[0]!, { ...cat, className: 'InputLayer' }, ...rest.slice(1)] };
  // Without the concatenation the rest must be a chain from it.
  const firstDense = rest[1];
  if (!firstDense || firstDense.inbound?.[0] !== cat.name || !isDenseChain({ ...chain, layers: chain.layers.slice(1) })) return null;
  const widths = cat.inbound.map((n) =>
    inputWidth(
      m,
      inputs.find((i) => i.name === n)!,
    ),
  ) as [number, number];
  return { concat: cat.name, order: [cat.inbound[0]!, cat.inbound[1]!], widths };
}

/** A first kernel whose rows take [action, state] rearranged to take [state, action], as the engine feeds it. */
function stateRowsFirst(l: SavedDense, actionWidth: number): Float32Array {
  const [rows, units] = l.kernel.shape;
  const v = l.kernel.values;
  const out = new Float32Array(v.length);
  out.set(v.subarray(actionWidth * units), 0);
  out.set(v.subarray(0, actionWidth * units), (rows - actionWidth) * units);
  return out;
}

/**
 * Whether a model is shaped as a chain of Dense layers — one input, each Dense layer taking the
 * one before it — so it runs on the critic engine (whose checks then say what else is wrong:
 * a missing weight, a shape, an activation); anything else is a graph.
 */
export function isDenseChain(model: KerasModel): boolean {
  const m = foldDenseBlocks(model);
  let prev: string | null = null;
  let inputs = 0;
  for (const l of m.layers) {
    if (l.className === 'InputLayer') inputs++;
    else if (l.className !== 'Dense') return false;
    else if (l.inbound && prev !== null && (l.inbound.length !== 1 || l.inbound[0] !== prev)) return false;
    prev = l.name;
  }
  return inputs <= 1;
}

/**
 * A Dense layer's kernel and bias in storage order (Keras stores kernel then bias), checked by
 * name where the file names them (h5's weight_names) and against the layer's units.
 */
function denseWeights(w: KerasTensor[] | undefined, units: number, onLayer: (why: string) => never) {
  if (!w || w.length === 0) return onLayer('no weights stored for it');
  const named = w.some((t) => /kernel(:0)?$/.test(t.name));
  const pick = (what: 'kernel' | 'bias', index: number) =>
    (named ? w.find((t) => new RegExp(`${what}(:0)?$`).test(t.name)) : w[index]) ??
    onLayer(`no ${what} among its weights (${w.map((t) => t.name).join(', ')})`);
  const kernel = pick('kernel', 0);
  const bias = pick('bias', 1);
  if (kernel.shape.length !== 2 || kernel.shape[1] !== units) onLayer(`kernel of shape [${kernel.shape}] for ${units} units`);
  if (bias.shape.length !== 1 || bias.shape[0] !== units) onLayer(`bias of shape [${bias.shape}] for ${units} units`);
  return { kernel, bias };
}

/**
 * A folded normalisation's γ and β — and a batch norm's moving mean and variance — by name, else
 * in Keras's storage order (gamma, beta, moving_mean, moving_variance), checked against the units.
 */
function foldedNorm(m: KerasModel, n: FoldedNorm | undefined, units: number, onLayer: (why: string) => never): Pick<SavedDense, 'norm'> {
  if (!n) return {};
  const w = m.weights.get(n.layer) ?? [];
  const named = w.some((t) => /gamma(:0)?$/.test(t.name));
  const pick = (what: string, index: number) => {
    const t = (named ? w.find((x) => new RegExp(`${what}(:0)?$`).test(x.name)) : w[index]) ?? onLayer(`its ${n.layer} has no ${what}`);
    if (t.shape.length !== 1 || t.shape[0] !== units) onLayer(`${n.layer}: ${t.name} of shape [${t.shape}] for ${units} units`);
    return { values: t.values, shape: [units] as [number] };
  };
  const norm = { kind: n.kind, epsilon: n.epsilon, gamma: pick('gamma', 0), beta: pick('beta', 1) };
  if (n.kind === 'layer') return { norm };
  return { norm: { ...norm, momentum: n.momentum, movingMean: pick('moving_mean', 2), movingVariance: pick('moving_variance', 3) } };
}
