import { tf } from '../util/tfjs.js';
import { getActivation } from '../model/activations.js';
import { fromTfjsActivation } from '../model/activation-names.js';
import { Tap } from '../watch/tap.js';

/** tfjs-core's `{name, tensor}` pairs, as optimizers take gradients. */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/**
 * The hooks that let the watchdog see a user's tfjs LayersModel train, for the step that
 * produced each tensor (not a re-run after the update):
 *
 * - each leaf layer's `call` (an own property shadowing the prototype's) records its output and,
 *   for Dense, its `x·W` and pre-activation, computed beside the layer's own (possibly fused)
 *   kernel — extra tape nodes that lead to no loss, so backprop prunes them;
 * - each loss function records the target batch;
 * - the optimizer's `minimize` wraps the loss function to record the loss, and brackets the step;
 * - the optimizer's `applyGradients` records each variable's gradient before the update, and
 *   the optimizer's slots and the updated variables after it.
 *
 * Every recorded tensor is a clone (same data, no copy) kept past the step's tidy scopes; the
 * caller computes the statistics and disposes them. Nothing here changes a value the model
 * computes: a watched fit ends with the same weights as an unwatched one (tested bit for bit).
 */
export interface ModelTapsHooks {
  /** Called after each optimizer step with the tap holding that step's tensors. */
  onStep(tap: Tap): void;
}

interface WeightInfo {
  layer: string;
  layerIndex: number;
  short: string;
  variable: tf.LayerVariable;
}

type AnyLayer = tf.layers.Layer;
type Fn = (...args: never[]) => unknown;

/** The tfjs activation name a layer applies (from its config), or null. */
function activationOf(layer: AnyLayer): string | null {
  const a = (layer.getConfig() as { activation?: unknown }).activation;
  return typeof a === 'string' ? a : null;
}

/** A model (it has layers of its own), told apart without instanceof. */
function isModel(l: unknown): l is tf.LayersModel {
  return typeof l === 'object' && l !== null && Array.isArray((l as { layers?: unknown }).layers);
}

/** Leaf layers of a model, nested models flattened, input layers left out. */
export function leafLayers(model: tf.LayersModel): AnyLayer[] {
  const out: AnyLayer[] = [];
  const visit = (l: AnyLayer) => {
    if (isModel(l)) l.layers.forEach(visit);
    else if (l.getClassName() !== 'InputLayer') out.push(l);
  };
  model.layers.forEach(visit);
  return out;
}

/** Short names for tfjs optimizers' slot arrays (tfjs-core's optimizers keep them as {originalName, variable}). */
const SLOT_NAMES: Record<string, string> = {
  accumulatedMeanSquares: 'ms',
  accumulatedMoments: 'mom',
  accumulatedMeanGrads: 'mg',
  accumulatedFirstMoment: 'm',
  accumulatedSecondMoment: 'v',
  accumulatedWeightedInfNorm: 'u',
  accumulations: 'accum',
  accumulatedGrads: 'accum',
  accumulatedUpdates: 'accum_update',
};

/** The optimizer's per-variable slots, by slot name: `slots.get('ms').get(varName)`. */
function optimizerSlots(opt: tf.Optimizer): Map<string, Map<string, tf.Variable>> {
  const out = new Map<string, Map<string, tf.Variable>>();
  for (const [key, value] of Object.entries(opt)) {
    if (!Array.isArray(value)) continue;
    const entries = value.filter(
      (e): e is { originalName: string; variable: tf.Variable } =>
        !!e && typeof e.originalName === 'string' && typeof (e.variable as tf.Variable | undefined)?.assign === 'function',
    );
    if (entries.length === 0) continue;
    out.set(SLOT_NAMES[key] ?? key, new Map(entries.map((e) => [e.originalName, e.variable])));
  }
  return out;
}

/** Installs the hooks on `model` (compiled: it has its optimizer); `uninstall()` removes them. */
export class ModelTaps {
  private readonly layers: AnyLayer[];
  private readonly weights = new Map<string, WeightInfo>();
  private readonly restore: (() => void)[] = [];
  private tap: Tap | null = null;
  /** The model inputs already recorded this step (a model input may feed several layers). */
  private readonly inputsSeen = new Set<string>();
  private optimizer: tf.Optimizer | null = null;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly hooks: ModelTapsHooks,
  ) {
    this.layers = leafLayers(model);
    this.layers.forEach((layer, layerIndex) => {
      for (const v of layer.trainableWeights) {
        const short = v.originalName.slice(v.originalName.lastIndexOf('/') + 1);
        this.weights.set(v.name, { layer: layer.name, layerIndex, short, variable: v });
      }
    });
  }

  get installed(): boolean {
    return this.restore.length > 0;
  }

  install(optimizer: tf.Optimizer | undefined = this.model.optimizer): void {
    if (this.installed) return;
    if (!optimizer) throw new Error('watchModel: the model has no optimizer — compile it first (or pass options.optimizer)');
    this.optimizer = optimizer;
    for (const layer of this.layers)
      this.own(layer, 'call', (orig) => (inputs: tf.Tensor | tf.Tensor[], kwargs: unknown) => {
        const out = (orig as (i: unknown, k: unknown) => tf.Tensor | tf.Tensor[])(inputs, kwargs);
        if (this.tap) this.recordLayer(layer, inputs, out);
        return out;
      });
    // A Sequential compiles and fits through the LayersModel it wraps.
    const inner = (this.model as unknown as { model?: unknown }).model;
    const compiled = isModel(inner) ? inner : this.model;
    const lossFns = (compiled as unknown as { lossFunctions?: Fn[] }).lossFunctions;
    if (lossFns) {
      const originals = lossFns.slice();
      lossFns.forEach((fn, i) => {
        lossFns[i] = ((yTrue: tf.Tensor, yPred: tf.Tensor) => {
          if (this.tap) this.keep('loss', null, lossFns.length > 1 ? `target ${i}` : 'target', yTrue, { role: 'target' });
          return (fn as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor)(yTrue, yPred);
        }) as unknown as Fn;
      });
      this.restore.push(() => originals.forEach((fn, i) => (lossFns[i] = fn)));
    }
    this.own(optimizer, 'minimize', (orig) => (f: () => tf.Scalar, returnCost?: boolean, varList?: tf.Variable[]) => {
      if (this.tap) return (orig as typeof optimizer.minimize)(f, returnCost, varList);
      const tap = new Tap();
      this.tap = tap;
      this.inputsSeen.clear();
      try {
        const watched = () => {
          const value = f();
          this.keep('loss', null, 'loss', value, { role: 'loss' });
          return value;
        };
        return (orig as typeof optimizer.minimize)(watched, returnCost, varList);
      } finally {
        this.tap = null;
        this.hooks.onStep(tap);
      }
    });
    this.own(optimizer, 'applyGradients', (orig) => (grads: tf.NamedTensorMap | NamedTensor[]) => {
      if (!this.tap) return (orig as (g: unknown) => void)(grads);
      const named: NamedTensor[] = Array.isArray(grads) ? grads : Object.entries(grads).map(([name, tensor]) => ({ name, tensor }));
      // Backprop's order: the last layer's gradients first.
      const ordered = named
        .filter((g) => g.tensor)
        .map((g) => ({ g, w: this.weights.get(g.name) }))
        .sort((a, b) => (b.w?.layerIndex ?? -1) - (a.w?.layerIndex ?? -1));
      for (const { g, w } of ordered)
        this.keep('backward', w?.layer ?? null, `gradient of ${w?.short ?? g.name}`, g.tensor, { param: g.name, role: 'param-grad' });
      // Each kernel before the update (a clone shares its data; assign swaps the variable's), for its step.
      const kernels = [...this.weights].filter(([, w]) => w.short === 'kernel');
      const before = new Map(kernels.map(([name, w]) => [name, w.variable.read().clone()]));
      (orig as (g: unknown) => void)(grads);
      const slots = optimizerSlots(optimizer);
      for (const layer of this.layers) {
        for (const v of layer.trainableWeights) {
          const w = this.weights.get(v.name)!;
          for (const [slot, byVar] of slots) {
            const s = byVar.get(v.name);
            if (s) this.keep('update', layer.name, `${slot} of ${w.short}`, s, { param: v.name });
          }
          this.keep('update', layer.name, w.short, v.read(), {
            param: v.name,
            ...(w.short === 'kernel' ? { role: 'weight' as const } : {}),
          });
          const old = before.get(v.name);
          if (old) {
            const step = tf.sub(v.read(), old);
            this.keep('update', layer.name, `step of ${w.short}`, step, { param: v.name, role: 'weight-step' });
            tf.dispose([step, old]);
          }
        }
      }
    });
  }

  uninstall(): void {
    while (this.restore.length) this.restore.pop()!();
    this.optimizer = null;
  }

  /** Replaces `obj[key]` by a wrapper of it as an own property, restored by uninstall(). */
  private own<T extends object>(obj: T, key: string, wrap: (orig: Fn) => Fn): void {
    const target = obj as Record<string, unknown>;
    const had = Object.prototype.hasOwnProperty.call(target, key);
    const prev = target[key];
    const orig = (prev as Fn).bind(obj);
    target[key] = wrap(orig);
    this.restore.push(() => {
      if (had) target[key] = prev;
      else delete target[key];
    });
  }

  private keep(...args: Parameters<Tap['add']>): void {
    const [phase, layer, name, t, opts] = args;
    this.tap!.add(phase, layer, name, tf.keep(t.clone()), opts);
  }

  /**
   * The model's own inputs a layer is called on, once a step each, as phase `input` (named by the
   * model's input names; a Sequential's is `input`): watched like any tensor, before the layer's.
   */
  private recordInputs(layer: AnyLayer, inputs: tf.Tensor | tf.Tensor[]): void {
    const ins = Array.isArray(inputs) ? inputs : [inputs];
    const sources = (layer.inboundNodes as unknown as { inboundLayers?: AnyLayer[] }[])[0]?.inboundLayers ?? [];
    ins.forEach((t, i) => {
      const src = sources[i];
      if (!src || src.getClassName() !== 'InputLayer' || this.inputsSeen.has(src.name)) return;
      this.inputsSeen.add(src.name);
      this.keep('input', null, this.model.getClassName() === 'Sequential' ? 'input' : src.name, t, {});
    });
  }

  private recordLayer(layer: AnyLayer, inputs: tf.Tensor | tf.Tensor[], out: tf.Tensor | tf.Tensor[]): void {
    this.recordInputs(layer, inputs);
    const act = activationOf(layer);
    const ours = fromTfjsActivation(act);
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const kernel = layer.trainableWeights.find((w) => w.originalName.endsWith('/kernel'));
    const bias = layer.trainableWeights.find((w) => w.originalName.endsWith('/bias'));
    if (layer.getClassName() === 'Dense' && x && x.rank === 2 && kernel) {
      // The layer may run x·W + b and its activation as one fused kernel: separate them here.
      const xw = tf.matMul(x, kernel.read());
      this.keep('forward', layer.name, 'x·W', xw, { role: 'matmul' });
      const pre = bias ? tf.add(xw, bias.read()) : xw;
      const a = ours ? getActivation(ours) : null;
      this.keep('forward', layer.name, 'pre-activation', pre, {
        role: 'pre',
        inactivity: a?.inactivity ?? 'none',
        ...(a?.saturationThreshold !== undefined ? { saturationThreshold: a.saturationThreshold } : {}),
      });
    }
    const outs = Array.isArray(out) ? out : [out];
    outs.forEach((o, i) => this.keep('forward', layer.name, outs.length > 1 ? `activation ${i}` : 'activation', o, { role: 'output' }));
  }
}
