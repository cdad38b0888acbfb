import { modelError, type KerasLayerSpec, type KerasModel } from './keras-model.js';

/**
 * The layer classes a critic file may hold (model/keras-fold.ts folds all but InputLayer and Dense
 * into the Dense layers; keras-chain.ts says where one stands otherwise); any other class (a
 * Lambda, a custom class, a recurrent layer) is refused naming the file, the layer and its class.
 */
const CRITIC_LAYERS = [
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

/** What a config needs of a model: its inputs (name, width) and its output's width. */
interface ModelSummary {
  inputs: { name: string; width: number }[];
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

/** Checks every layer's class and says what a config needs; a Sequential's first layer may carry the input shape. */
export function summarizeModel(m: KerasModel): ModelSummary {
  const inputs: ModelSummary['inputs'] = [];
  for (const l of m.layers) {
    if (!(CRITIC_LAYERS as readonly string[]).includes(l.className))
      modelError(m.file, `layer ${l.name}: ${l.className} is not supported (critic-doctor reads ${CRITIC_LAYERS.join(', ')})`);
    if (l.className === 'InputLayer') inputs.push({ name: l.name, width: inputWidth(m, l) });
  }
  if (inputs.length === 0) {
    const first = m.layers[0];
    const c = (first?.config ?? {}) as { batch_input_shape?: unknown[] };
    if (!first || !c.batch_input_shape) modelError(m.file, 'the model config names no input layer and no input shape');
    inputs.push({ name: 'input', width: inputWidth(m, first!) });
  }
  const last = [...m.layers].reverse().find((l) => l.className === 'Dense') ?? modelError(m.file, 'the model has no Dense layer');
  return { inputs, outputUnits: Number((last.config as Cfg).units) };
}
