import path from 'node:path';
import { ConfigError } from '../config/errors.js';
import { modelFormat, type ModelFormat } from '../model/model-format.js';
import { readKerasModel } from '../model/saved-model.js';
import { kerasDenseChain } from '../model/keras-chain.js';
import type { KerasModel } from '../model/keras-model.js';
import { readStateDict } from '../model/state-dict.js';
import { checkpointPrefix, readTfCheckpoint } from '../model/tf-checkpoint.js';
import type { InspectReport } from '../report/inspect-report.js';
import { isOptimizerVariable, TF2 } from '../model/checkpoint-critic.js';

const READ = 'Keras, ONNX, torch.save, TorchScript, SB3, safetensors, Flax msgpack, TF checkpoint';

export async function inspectFile(file: string): Promise<InspectReport> {
  const prefix = checkpointPrefix(file);
  const format = prefix ? 'tf-index' : modelFormat(file);
  switch (format) {
    case 'tf-index':
      return inspectCheckpoint(file, prefix ?? file.replace(/\.index$/, ''));
    case 'torch-zip':
    case 'sb3-zip':
    case 'pickle':
    case 'safetensors':
    case 'msgpack':
      return inspectWeights(file, format);
    case 'keras-zip':
    case 'hdf5':
    case 'onnx':
      return inspectModel(file, format);
    default:
      throw new ConfigError(`not a model or weights file critic-doctor reads (${READ})`, { file });
  }
}

async function inspectModel(file: string, format: ModelFormat): Promise<InspectReport> {
  const m = (await readKerasModel(file))!;
  const tensors = [...m.weights].flatMap(([layer, ws]) =>
    ws.map((w) => ({ name: `${layer}/${w.name}`, shape: w.shape, dtype: 'float32' })),
  );
  const layers = m.layers
    .filter((l) => l.className === 'Dense')
    .map((l) => {
      const k = m.weights.get(l.name)?.[0];
      return { name: `${l.name} (${l.className})`, units: k?.shape[1] ?? 0, inputs: k?.shape[0] ?? 0 };
    });
  const inputs = m.layers.filter((l) => l.className === 'InputLayer').map((l) => l.name);
  const critic = chainOf(m, inputs[1]);
  return {
    file,
    format,
    ...(m.kerasVersion ? { writer: `Keras ${m.kerasVersion}` } : {}),
    tensors,
    layers,
    critic,
    ...(m.optimizerVars.length ? { optimizer: `${m.optimizerVars.length} optimizer variables (restored by run)` } : {}),
    config:
      'refused' in critic
        ? []
        : [
            `network:`,
            `  model: ${path.basename(file)}`,
            ...(inputs.length === 2 ? [`  inputs: { state: ${inputs[0]}, action: ${inputs[1]} }   # say which is which`] : []),
          ],
  };
}

/** The chain critic-doctor would train from the model (keras-chain.ts's folding), described, or the reason it refuses. */
function chainOf(m: KerasModel, action?: string): NonNullable<InspectReport['critic']> {
  try {
    const c = kerasDenseChain(m, action);
    const layers = c.layers.map(
      (l) =>
        `${l.name} ${l.units} ${l.activation}` +
        `${l.norm ? ` ${l.norm.kind}-norm` : ''}${l.dropout ? ` dropout ${l.dropout}` : ''}${l.residual ? ` + ${l.residual}` : ''}`,
    );
    return { layers, ...(c.actionAt ? { actionAt: c.actionAt } : {}) };
  } catch (e) {
    return { refused: e instanceof Error ? e.message : String(e) };
  }
}

function inspectWeights(file: string, format: ModelFormat): InspectReport {
  const t = readStateDict(file);
  const linear = t.filter((x) => x.name.endsWith('.weight') && x.shape.length === 2);
  const critic = linear.filter(
    (x) => /(^|\.)(critic|qf0|value_net|mlp_extractor\.value_net)(\.|$)/.test(x.name) && !x.name.startsWith('critic_target.'),
  );
  const chain = (critic.length ? critic.filter((x) => !/qf[1-9]/.test(x.name)) : linear).map((x) => ({
    name: x.name.slice(0, -'.weight'.length),
    units: x.shape[0]!,
    inputs: x.shape[1]!,
  }));
  const twin = linear.some((x) => /(^|\.)qf1\./.test(x.name));
  return {
    file,
    format,
    tensors: t.map((x) => ({ name: x.name, shape: x.shape, dtype: 'float32 (as read)' })),
    layers: chain,
    ...(linear.some((x) => x.name.startsWith('critic_target.'))
      ? { optimizer: 'target networks (critic_target.*) beside the critics' }
      : {}),
    config: [
      'network:',
      `  inputDim: ${chain[0]?.inputs ?? '?'}${twin ? '   # the state and action widths together: split into inputDim and actionDim' : ''}`,
      ...(twin ? ['  actionDim: ?', '  critics: 2'] : []),
      `  weights: ${path.basename(file)}`,
      '  layers:',
      ...chain.map((l, i) =>
        i < chain.length - 1
          ? `    - { name: ${l.name}, units: ${l.units}, activation: relu }   # the activation is not in the file`
          : `    - { name: ${l.name}, units: ${l.units} }`,
      ),
    ],
  };
}

function inspectCheckpoint(file: string, prefix: string): InspectReport {
  const t = readTfCheckpoint(prefix);
  const vars = t.filter((x) => !isOptimizerVariable(x.name));
  const kernels = vars.filter((x) => /\/(kernel|V)(\/\.ATTRIBUTES\/VARIABLE_VALUE)?$/.test(x.name) && x.shape.length === 2);
  const names = kernels.map((k) => k.name.replace(TF2, '').replace(/\/(kernel|V)$/, ''));
  // A TF1 scope: the part every layer's name shares before its last component.
  const scopes = new Set(names.map((n) => (n.includes('/') ? n.slice(0, n.lastIndexOf('/')) : '')));
  const scope = scopes.size === 1 ? [...scopes][0]! : '';
  const slots = t.filter((x) => /\/(RMSProp|Adam|Momentum)(_\d+)?$|OPTIMIZER_SLOT/.test(x.name)).length;
  const layers = kernels.map((k, i) => ({
    name: scope ? names[i]!.slice(scope.length + 1) : names[i]!,
    units: k.shape[1]!,
    inputs: k.shape[0]!,
  }));
  return {
    file,
    format: 'tf-index',
    writer: t.some((x) => x.name.endsWith(TF2)) ? 'TensorFlow 2 (object-based checkpoint)' : 'TensorFlow 1 (tf.train.Saver)',
    tensors: t.map((x) => ({ name: x.name, shape: x.shape, dtype: x.dtype })),
    layers,
    ...(slots ? { optimizer: `${slots} optimizer slots (restored by run)` } : {}),
    config: [
      'network:',
      `  inputDim: ${layers[0]?.inputs ?? '?'}`,
      `  weights: ${path.basename(prefix)}`,
      ...(scope ? [`  scope: ${scope}`] : []),
      '  layers:',
      ...layers.map((l) => `    - { name: ${l.name}, units: ${l.units} }   # the activation is not in the file`),
    ],
  };
}
