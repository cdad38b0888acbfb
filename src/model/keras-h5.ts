import { Dataset, Group, type File as H5File } from 'h5wasm/node';
import { openHdf5 } from '../data/recorded/hdf5.js';
import { ConfigError } from '../config/errors.js';
import { ACTIVATIONS } from '../config/schema.js';
import { fromTfjsActivation } from './activations.js';
import type { SavedCritic, SavedDense } from './saved-critic.js';

// A Keras model saved in the legacy HDF5 format (`model.save('critic.h5')`: Keras 2.x, and Keras
// 3's legacy writer), read as keras/src/legacy/saving/legacy_h5_format.py writes it: the root
// attribute `model_config` (JSON: class_name, config.layers), `model_weights/<layer>/` with a
// `weight_names` attribute (split over weight_names0, weight_names1, … when long) naming datasets
// under the layer's group (tf.keras 2: `dense/kernel:0`; Keras 3: `…/dense/kernel`). Only a chain
// of Dense layers (an InputLayer, Sequential or Functional) becomes a critic here; anything else
// is refused naming the layer and its class.

interface KerasLayer {
  class_name: string;
  name?: string;
  config: { name?: string; units?: number; activation?: unknown; use_bias?: boolean };
  inbound_nodes?: unknown;
}

/** An attribute that may be split into name0, name1, … (HDF5's 64 KB header limit). */
function splitAttr(attrs: Record<string, { value: unknown }>, name: string): string[] {
  const one = attrs[name]?.value;
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v == null ? [] : [String(v)]);
  if (one !== undefined) return list(one);
  const out: string[] = [];
  for (let i = 0; attrs[`${name}${i}`]; i++) out.push(...list(attrs[`${name}${i}`]!.value));
  return out;
}

export async function readKerasH5(file: string): Promise<SavedCritic> {
  const fail = (why: string): never => {
    throw new ConfigError(why, { file, path: 'network.model' });
  };
  let f: H5File;
  try {
    f = await openHdf5(file);
  } catch (e) {
    return fail((e as Error).message);
  }
  try {
    const attrs = f.attrs as Record<string, { value: unknown }>;
    if (!attrs.model_config) {
      if (attrs.layer_names || attrs.layer_names0)
        fail('the file holds weights only (Keras save_weights): save the whole model with model.save("critic.h5") or "critic.keras"');
      fail('not a Keras model file: no model_config attribute at the root');
    }
    let topology: { class_name?: string; config?: { layers?: KerasLayer[] } | KerasLayer[] };
    try {
      topology = JSON.parse(String(attrs.model_config!.value));
    } catch {
      return fail('its model_config attribute is not JSON');
    }
    const cfg = topology.config;
    const layers = (Array.isArray(cfg) ? cfg : cfg?.layers) ?? fail(`model_config has no layers (class ${topology.class_name})`);
    const weights = f.get('model_weights');
    if (!(weights instanceof Group)) return fail('no model_weights group: the model was saved without its weights');
    const out: SavedDense[] = [];
    let prev: string | null = null;
    for (const raw of layers) {
      const l = { ...raw, config: raw.config ?? {} };
      const name = l.config.name ?? l.name ?? '?';
      const onLayer = (why: string): never => fail(`layer ${name}: ${why}`);
      if (l.class_name === 'InputLayer') {
        prev = name;
        continue;
      }
      if (l.class_name !== 'Dense') onLayer(`${l.class_name} is not supported; critic-doctor builds a critic from a chain of Dense layers`);
      const inbound = inboundNames(l.inbound_nodes);
      if (inbound && prev !== null && (inbound.length !== 1 || inbound[0] !== prev))
        onLayer(`takes ${inbound.join(', ') || 'nothing'}, not the layer before it: only a chain of Dense layers runs as a critic`);
      if (l.config.use_bias === false) onLayer('use_bias: false is not supported (every critic layer has a bias)');
      if (l.config.activation !== undefined && typeof l.config.activation !== 'string')
        onLayer(`activation ${JSON.stringify(l.config.activation)} is not a named activation`);
      const act = (l.config.activation as string | undefined) ?? 'linear';
      const activation = fromTfjsActivation(act);
      if (!activation) onLayer(`activation ${act} is not one critic-doctor has (${ACTIVATIONS.join(', ')})`);
      const g = weights.get(name);
      if (!(g instanceof Group)) return onLayer('no weights under model_weights');
      const { kernel, bias } = denseWeights(g, l.config.units ?? 0, onLayer);
      const previous = out[out.length - 1];
      if (previous && kernel.shape[0] !== previous.units)
        onLayer(`kernel takes ${kernel.shape[0]} inputs but ${previous.name} gives ${previous.units}`);
      out.push({
        name,
        units: l.config.units!,
        activation: activation!,
        kernel: { values: kernel.values, shape: kernel.shape as [number, number] },
        bias: { values: bias.values, shape: bias.shape as [number] },
      });
      prev = name;
    }
    if (out.length === 0) fail('the model has no Dense layer');
    const last = out[out.length - 1]!;
    if (last.units !== 1) fail(`layer ${last.name}: the last layer is the critic's value v(s): expected 1 unit, got ${last.units}`);
    return { inputDim: out[0]!.kernel.shape[0], layers: out };
  } finally {
    f.close();
  }
}

/** A Dense layer's kernel and bias, found by their names in its `weight_names`, checked against its units. */
function denseWeights(g: Group, units: number, onLayer: (why: string) => never) {
  const names = splitAttr(g.attrs as Record<string, { value: unknown }>, 'weight_names');
  const pick = (what: string, suffix: RegExp) => {
    const n = names.find((w) => suffix.test(w)) ?? onLayer(`no ${what} among its weights (${names.join(', ') || 'none'})`);
    const d = g.get(n);
    if (!(d instanceof Dataset)) return onLayer(`weight ${n} is named but not stored`);
    return { values: Float32Array.from(d.value as ArrayLike<number>), shape: d.shape as number[] };
  };
  const kernel = pick('kernel', /kernel(:0)?$/);
  const bias = pick('bias', /bias(:0)?$/);
  if (kernel.shape.length !== 2 || kernel.shape[1] !== units) onLayer(`kernel of shape [${kernel.shape}] for ${units} units`);
  if (bias.shape.length !== 1 || bias.shape[0] !== units) onLayer(`bias of shape [${bias.shape}] for ${units} units`);
  return { kernel, bias };
}

/**
 * The names of the layers a Functional model's layer takes, from either vocabulary: Keras 2's
 * `inbound_nodes: [[["dense", 0, 0, {}]]]` or Keras 3's `[{ args: [{ config: { keras_history:
 * ["dense", 0, 0] } }] }]`. Undefined for a Sequential's layers (no inbound nodes: a chain).
 */
function inboundNames(nodes: unknown): string[] | undefined {
  if (!Array.isArray(nodes) || nodes.length === 0) return undefined;
  const node = nodes[0] as unknown;
  if (Array.isArray(node)) return node.map((t) => String((t as unknown[])[0]));
  const names: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const h = (v as { keras_history?: unknown[] }).keras_history;
      if (Array.isArray(h)) names.push(String(h[0]));
      else Object.values(v).forEach(walk);
    }
  };
  walk((node as { args?: unknown }).args);
  return names;
}
