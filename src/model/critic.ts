import { tf } from '../util/tfjs.js';
import type { Config, LayerConfig } from '../config/schema.js';
import { getActivation, type Activation } from './activations.js';
import { initWeights, resolveInit, torchInitWeights, variableSeed } from './initializers.js';
import { TorchGenerator } from './torch-init.js';
import { headLayerName } from './head-names.js';

/** A layer of the critic as the trainer sees it: config, activation and where its tensors sit. */
export interface LayerSpec {
  index: number;
  /** Which critic of `network.critics` it belongs to (0 for a lone critic). */
  head: number;
  /**
   * Whether its input ends with the action (a Q(s, a) critic): the first layer's is then the whole
   * input row, cat([state, action]); a later layer's is cat([previous layer's output, action]).
   */
  actionIn: boolean;
  name: string;
  units: number;
  fanIn: number;
  weightNorm: boolean;
  activation: Activation;
  config: LayerConfig;
  /** Indices into the flat parameter list. */
  vIndex: number;
  gIndex?: number;
  bIndex: number;
  /** Normalisation before the nonlinearity, its γ/β parameters and (batch norm) moving-average buffers. */
  norm: 'none' | 'batch' | 'layer';
  gammaIndex?: number;
  betaIndex?: number;
  meanBuffer?: number;
  varianceBuffer?: number;
  /** A residual connection (`residual`): the index of the earlier layer whose output is added to this one's. */
  residualFrom?: number;
}

/** The critic's structure; parameters live apart, as a flat list (`<layer>/V`, `<layer>/g`, `<layer>/b`). */
export interface CriticSpec {
  /** The input row's width: the state's, and the action's after it for a Q(s, a) critic. */
  inputDim: number;
  /** The action's width in each input row (0: a V(s) critic); the layer with `actionIn` takes it. */
  actionDim: number;
  /** Layers of every critic, critic after critic (`network.critics`: each a chain of `layers`). */
  layers: LayerSpec[];
  /** How many critics (twin Q heads: 2), each trained on the minimum of their bootstrapped values. */
  heads: number;
  paramNames: string[];
  paramShapes: number[][];
  /** Non-trained state: batch norm's moving mean and variance (`<layer>/moving_mean`, ...). */
  bufferNames: string[];
}

/** Builds the layer structure from a config (no tensors are allocated). */
export function buildCriticSpec(config: Config): CriticSpec {
  const layers: LayerSpec[] = [];
  const paramNames: string[] = [];
  const paramShapes: number[][] = [];
  const bufferNames: string[] = [];
  const inputDim = criticInputWidth(config.network);
  const actionDim = inputDim - config.network.inputDim;
  const actionAt = config.network.actionAt;
  const heads = config.network.critics;
  const all = Array.from({ length: heads }, (_, head) =>
    config.network.layers.map((l) => ({ ...l, name: headLayerName(l.name, head, heads) })),
  );
  all.forEach((chain, head) => chain.forEach((l, at) => addLayer(l, head, at)));
  return { inputDim, actionDim, layers, heads, paramNames, paramShapes, bufferNames };

  function addLayer(l: LayerConfig, head: number, at: number): void {
    const index = layers.length;
    const actionIn = actionDim > 0 && (actionAt === undefined ? at === 0 : config.network.layers[at]!.name === actionAt);
    // A later layer's action joins its predecessor's output; the first layer's input row holds it already.
    const fanIn = (at === 0 ? config.network.inputDim : layers[index - 1]!.units) + (actionIn ? actionDim : 0);
    const vIndex = paramNames.length;
    paramNames.push(`${l.name}/${l.weightNorm ? 'V' : 'W'}`);
    paramShapes.push([fanIn, l.units]);
    let gIndex: number | undefined;
    if (l.weightNorm) {
      gIndex = paramNames.length;
      paramNames.push(`${l.name}/g`);
      paramShapes.push([l.units]);
    }
    const bIndex = paramNames.length;
    paramNames.push(`${l.name}/b`);
    paramShapes.push([l.units]);
    let gammaIndex: number | undefined;
    let betaIndex: number | undefined;
    let meanBuffer: number | undefined;
    let varianceBuffer: number | undefined;
    if (l.norm !== 'none') {
      gammaIndex = paramNames.length;
      paramNames.push(`${l.name}/gamma`);
      paramShapes.push([l.units]);
      betaIndex = paramNames.length;
      paramNames.push(`${l.name}/beta`);
      paramShapes.push([l.units]);
    }
    if (l.norm === 'batch') {
      meanBuffer = bufferNames.length;
      bufferNames.push(`${l.name}/moving_mean`);
      varianceBuffer = bufferNames.length;
      bufferNames.push(`${l.name}/moving_variance`);
    }
    const residualFrom = l.residual === undefined ? undefined : index - at + config.network.layers.findIndex((o) => o.name === l.residual);
    layers.push({
      ...(residualFrom !== undefined ? { residualFrom } : {}),
      norm: l.norm,
      gammaIndex,
      betaIndex,
      meanBuffer,
      varianceBuffer,
      index,
      name: l.name,
      units: l.units,
      fanIn,
      weightNorm: l.weightNorm,
      activation: getActivation(l.activation, l.alpha),
      config: l,
      vIndex,
      gIndex,
      bIndex,
      head,
      actionIn,
    });
  }
}

/**
 * The width the first layer takes: the state's, or for a Q(s, a) critic on the critic engine the
 * state's and the action's, `cat([state, action], 1)` as SB3's and CleanRL's critics take them
 * (train/batch-tensors.ts lays each row out so).
 */
export function criticInputWidth(network: Config['network']): number {
  return network.inputDim + (network.actionDim ?? 0);
}

/**
 * Initial parameters: V from the layer's initializer (seeded per layer; PyTorch's from one torch
 * generator seeded with `seed`, in layer order), g = gInit, b = bInit (torch_linear: its own bias).
 * The seed alone fixes them: changing an activation does not change the initial weights.
 */
export function initParams(spec: CriticSpec, seed: number): tf.Tensor[] {
  const params: tf.Tensor[] = new Array(spec.paramNames.length);
  // PyTorch's inits share one generator over the critic, as torch.manual_seed(seed) and building the module would.
  let torchGen: TorchGenerator | undefined;
  for (const l of spec.layers) {
    const r = resolveInit(l.config.init);
    const torch =
      typeof r === 'object' && 'torch' in r ? torchInitWeights(r, (torchGen ??= new TorchGenerator(seed)), l.fanIn, l.units) : null;
    params[l.vIndex] = torch ? torch.kernel : initWeights(l.config.init, l.fanIn, l.units, variableSeed(seed, l.index));
    if (l.gIndex !== undefined) params[l.gIndex] = tf.fill([l.units], l.config.gInit);
    params[l.bIndex] = torch?.bias ?? tf.fill([l.units], l.config.bInit);
    if (l.gammaIndex !== undefined) params[l.gammaIndex] = tf.ones([l.units]);
    if (l.betaIndex !== undefined) params[l.betaIndex] = tf.zeros([l.units]);
  }
  return params;
}

/** Initial buffers: moving mean 0 and moving variance 1 for each batch-norm layer (TF's defaults). */
export function initBuffers(spec: CriticSpec): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  for (const l of spec.layers) {
    if (l.meanBuffer !== undefined) out[l.meanBuffer] = tf.zeros([l.units]);
    if (l.varianceBuffer !== undefined) out[l.varianceBuffer] = tf.ones([l.units]);
  }
  return out;
}
