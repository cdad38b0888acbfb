import type { ActivationNameT } from '../config/schema.js';
import { fromTfjsActivation } from './activation-names.js';
import { modelError, type KerasLayerSpec, type KerasModel } from './keras-model.js';

/**
 * A Keras model that is not a chain of Dense layers — several inputs, a Concatenate, an Add, a
 * normalisation — rebuilt as a tfjs LayersModel layer by layer from its config (Keras 2's and 3's
 * vocabulary), with the file's weights. Only the layers below are rebuilt; any other class (a
 * Lambda, a custom class, a recurrent layer) is refused naming the file, the layer and its class.
 */
export const GRAPH_LAYERS = [
  'InputLayer',
  'Dense',
  'Concatenate',
  'Add',
  'Activation',
  'Dropout',
  'LayerNormalization',
  'BatchNormalization',
  'Flatten',
] as const;

/** What a config needs of a graph: its inputs (name, width), output width and Dense layers. */
export interface GraphSummary {
  inputs: { name: string; width: number }[];
  dense: { name: string; units: number; activation: ActivationNameT }[];
  outputUnits: number;
}

type Cfg = Record<string, unknown>;

export function inputWidth(m: KerasModel, l: KerasLayerSpec): number {
  const c = l.config as { batch_shape?: unknown[]; batch_input_shape?: unknown[]; input_shape?: unknown[] };
  const shape = c.batch_shape ?? c.batch_input_shape ?? (c.input_shape ? [null, ...c.input_shape] : undefined);
  const w = Array.isArray(shape) ? shape[shape.length - 1] : undefined;
  if (!Array.isArray(shape) || shape.length !== 2 || typeof w !== 'number')
    modelError(
      m.file,
      `layer ${l.name}: an input of shape ${JSON.stringify(shape)}; a critic's inputs are vectors [batch, width] of known width`,
    );
  return w as number;
}

export function activationName(m: KerasModel, l: KerasLayerSpec): ActivationNameT {
  const a = (l.config as { activation?: unknown }).activation ?? 'linear';
  const ours = typeof a === 'string' ? fromTfjsActivation(a) : null;
  if (!ours || ours === 'leaky_relu')
    modelError(
      m.file,
      `layer ${l.name}: activation ${JSON.stringify(a)} is not one a graph can run ` +
        '(relu, elu, tanh, linear, selu, softplus, sigmoid, gelu, swish)',
    );
  return ours!;
}

/** Checks every layer's class and says what a config needs; a Sequential's first layer may carry the input shape. */
export function summarizeGraph(m: KerasModel): GraphSummary {
  const inputs: GraphSummary['inputs'] = [];
  const dense: GraphSummary['dense'] = [];
  for (const l of m.layers) {
    if (!(GRAPH_LAYERS as readonly string[]).includes(l.className))
      modelError(m.file, `layer ${l.name}: ${l.className} is not supported (critic-doctor rebuilds ${GRAPH_LAYERS.join(', ')})`);
    if (l.className === 'InputLayer') inputs.push({ name: l.name, width: inputWidth(m, l) });
    if (l.className === 'Dense') dense.push({ name: l.name, units: Number((l.config as Cfg).units), activation: activationName(m, l) });
    if (l.className === 'Activation') activationName(m, l);
  }
  if (inputs.length === 0) {
    const first = m.layers[0];
    const c = (first?.config ?? {}) as { batch_input_shape?: unknown[] };
    if (!first || !c.batch_input_shape) modelError(m.file, 'the model config names no input layer and no input shape');
    inputs.push({ name: 'input', width: inputWidth(m, first!) });
  }
  if (dense.length === 0) modelError(m.file, 'the model has no Dense layer');
  const last = [...m.layers].reverse().find((l) => l.className === 'Dense')!;
  return { inputs, dense, outputUnits: Number((last.config as Cfg).units) };
}
