import { tf } from '../util/tfjs.js';
import type { ActivationNameT, LayerConfig } from '../config/schema.js';
import { modelError, type KerasLayerSpec, type KerasModel } from './keras-model.js';
import { activationName, inputWidth, summarizeGraph } from './keras-graph-summary.js';

type Cfg = Record<string, unknown>;
type Fail = (l: KerasLayerSpec, why: string) => never;

/**
 * A Keras model that is not a chain of Dense layers, rebuilt as a tfjs LayersModel layer by layer
 * from its config (keras-graph-summary.ts says which layers): weights from the file, each Dense
 * layer's activation from `layers` (the resolved config's, so compare-activations can swap them),
 * Dropout seeded from `seed`.
 */
export function buildKerasGraph(m: KerasModel, layers: readonly LayerConfig[], seed: number): tf.LayersModel {
  const fail: Fail = (l, why) => modelError(m.file, `layer ${l.name}: ${why}`);
  const summary = summarizeGraph(m);
  const act = new Map(layers.map((l) => [l.name, l.activation]));
  const out = new Map<string, tf.SymbolicTensor>();
  const inputs: tf.SymbolicTensor[] = [];
  let prev: tf.SymbolicTensor | null = null;
  const built: { spec: KerasLayerSpec; layer: tf.layers.Layer }[] = [];
  if (!m.layers.some((l) => l.className === 'InputLayer')) {
    prev = tf.input({ shape: [summary.inputs[0]!.width], name: summary.inputs[0]!.name });
    inputs.push(prev);
  }
  m.layers.forEach((l, i) => {
    if (l.className === 'InputLayer') {
      const t = tf.input({ shape: [inputWidth(m, l)], name: l.name });
      inputs.push(t);
      out.set(l.name, t);
      prev = t;
      return;
    }
    const ins = l.inbound
      ? l.inbound.map((n) => out.get(n) ?? fail(l, `takes ${n}, which is not a layer before it`))
      : prev
        ? [prev]
        : fail(l, 'has no input');
    const layer = tfjsLayer(l, act.get(l.name) ?? (l.className === 'Dense' ? activationName(m, l) : 'linear'), seed + i, m, fail);
    const y = layer.apply(ins.length === 1 ? ins[0]! : ins) as tf.SymbolicTensor;
    out.set(l.name, y);
    prev = y;
    built.push({ spec: l, layer });
  });
  const model = tf.model({ inputs, outputs: prev!, name: 'keras_critic' });
  for (const { spec, layer } of built) setFileWeights(m, spec, layer, fail);
  return model;
}

/** The tfjs layer for a Keras layer's config; `dense` is a Dense layer's activation. */
function tfjsLayer(l: KerasLayerSpec, dense: ActivationNameT, seed: number, m: KerasModel, fail: Fail): tf.layers.Layer {
  const c = l.config as Cfg;
  const tfjsActivation = (a: ActivationNameT) =>
    a === 'leaky_relu' ? fail(l, 'leaky_relu cannot run in a graph here (tfjs has no such Dense activation)') : a;
  const name = l.name;
  switch (l.className) {
    case 'Dense':
      return tf.layers.dense({ units: Number(c.units), activation: tfjsActivation(dense), useBias: c.use_bias !== false, name });
    case 'Activation':
      return tf.layers.activation({ activation: tfjsActivation(activationName(m, l)), name });
    case 'Concatenate':
      if (c.axis !== undefined && c.axis !== -1 && c.axis !== 1) fail(l, `concatenates on axis ${c.axis}; a critic's features are axis -1`);
      return tf.layers.concatenate({ axis: -1, name });
    case 'Add':
      return tf.layers.add({ name });
    case 'Dropout':
      return tf.layers.dropout({ rate: Number(c.rate ?? 0), seed: typeof c.seed === 'number' ? c.seed : seed, name });
    case 'Flatten':
      return tf.layers.flatten({ name });
    case 'LayerNormalization':
      if (c.rms_scaling === true) fail(l, 'rms_scaling is not supported');
      return tf.layers.layerNormalization({
        axis: -1,
        epsilon: Number(c.epsilon ?? 1e-3),
        center: c.center !== false,
        scale: c.scale !== false,
        name,
      });
    case 'BatchNormalization':
      return tf.layers.batchNormalization({
        axis: -1,
        momentum: Number(c.momentum ?? 0.99),
        epsilon: Number(c.epsilon ?? 1e-3),
        center: c.center !== false,
        scale: c.scale !== false,
        name,
      });
    default:
      return fail(l, `${l.className} is not supported`);
  }
}

/** The file's weights into a built layer, in storage order (Keras's order is the layer's: kernel, bias; gamma, beta, moving stats). */
function setFileWeights(m: KerasModel, spec: KerasLayerSpec, layer: tf.layers.Layer, fail: Fail): void {
  const w = m.weights.get(spec.name) ?? [];
  // Shapes from the layer's own variables (getWeights would hand out the variables themselves).
  const want = layer.weights.map((v) => v.shape as number[]);
  if (want.length === 0) return;
  if (w.length !== want.length)
    fail(
      spec,
      `${w.length} weights stored, ${spec.className} here has ${want.length} (${layer.weights.map((v) => v.originalName).join(', ')})`,
    );
  w.forEach((t, k) => {
    if (t.shape.join(',') !== want[k]!.join(','))
      fail(spec, `weight ${t.name} of shape [${t.shape}] where ${layer.weights[k]!.originalName} is [${want[k]}]`);
  });
  const values = w.map((t) => tf.tensor(t.values, t.shape));
  layer.setWeights(values);
  tf.dispose(values);
}
