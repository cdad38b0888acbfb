import path from 'node:path';
import { ConfigError } from '../config/errors.js';
import { readConfigValue, validateConfig, type LoadedConfig } from '../config/load-config.js';
import type { Config, OptimizerConfig } from '../config/schema.js';
import { Optimizer } from '../config/schema.js';
import { lineOf, type YamlSource } from '../config/yaml-source.js';
import { summarizeModel } from './keras-summary.js';
import { stateDictCritics } from './state-dict-critic.js';
import { checkpointPrefix, readTfCheckpoint } from './tf-checkpoint.js';
import { checkpointParams, checkpointSlots, TF2 } from './checkpoint-critic.js';
import { setMaxModelBytes } from './model-budget.js';
import { readStateDict } from './state-dict.js';
import { modelError, type KerasModel } from './keras-model.js';
import type { SavedDense } from './saved-critic.js';

/**
 * `loadConfigFile`, and where the config names a saved model (`network.model`), the model read
 * to fill in `network.layers` and `network.inputDim` — and, from a Keras file, the optimizer,
 * clipping and loss `compile` left there, for each the config does not set.
 */
export async function loadConfig(file: string): Promise<LoadedConfig> {
  const { value, source } = readConfigValue(file);
  // The budget for every file read below (model/model-budget.ts), set before the first read.
  const raw = (value as { network?: { maxModelBytes?: unknown } } | null)?.network?.maxModelBytes;
  setMaxModelBytes(typeof raw === 'number' && raw > 0 ? raw : undefined);
  const settingsFrom = await resolveSavedModel(value, file, source);
  plainLayersForStateDict(value, file, source);
  const loaded = validateConfig(value, file, source);
  const n = loaded.config.network;
  // Checked here, so a state_dict that does not fit the layers is a config error before anything trains.
  if (n.weights) {
    const weights = path.resolve(path.dirname(path.resolve(file)), n.weights);
    const prefix = checkpointPrefix(weights);
    if (prefix) settingsFrom.push(checkpointLine(prefix, n, loaded.config.optimizer));
    else stateDictCritics(readStateDict(weights), n, n.weights);
  }
  if (n.critics > 1 && n.model)
    throw new ConfigError(
      `network.critics: ${n.critics} critics from one saved model (network.model): a model file holds one critic; ` +
        'give a state_dict (network.weights) with every head, or leave the model out',
      { file, line: source ? lineOf(source, ['network', 'critics']) : undefined, path: 'network.critics' },
    );
  return settingsFrom.length ? { ...loaded, settingsFrom } : loaded;
}

/** "weights and RMSProp's slots from seed-critic (a TensorFlow checkpoint) at step 1234", checking every layer's variables. */
function checkpointLine(prefix: string, n: Config['network'], optimizer: Config['optimizer']): string {
  const tensors = readTfCheckpoint(prefix);
  const found = checkpointParams(tensors, n, `${prefix}.index`);
  const state = n.restoreOptimizer === false ? null : checkpointSlots(tensors, found, optimizer, n.scope);
  const what = state ? `weights and ${optimizer.type} slots` : 'weights';
  const restored = state
    ? ` at step ${state.iteration}`
    : n.restoreOptimizer === false
      ? ' (slots afresh: network.restoreOptimizer false)'
      : '';
  return `${what} from ${path.basename(prefix)} (a TensorFlow checkpoint)${restored}`;
}

/**
 * With `network.weights` (a PyTorch state_dict or safetensors), layers are plain dense as torch's
 * Linear is, unless they say weightNorm (a TensorFlow checkpoint: denseWN where it holds V and g);
 * with `network.actionDim` too, a Q(s, a) critic of cat([state, action]).
 */
function plainLayersForStateDict(value: unknown, file: string, source?: YamlSource): void {
  const network = (value as { network?: Record<string, unknown> } | null)?.network;
  if (!network || typeof network.weights !== 'string') return;
  if (network.model !== undefined)
    throw new ConfigError('network.weights: give network.model or network.weights, not both', {
      file,
      line: source ? lineOf(source, ['network', 'weights']) : undefined,
      path: 'network.weights',
    });
  // A TensorFlow checkpoint says itself which layers are weight-normalised (a V and a g beside b).
  const prefix = checkpointPrefix(path.resolve(path.dirname(path.resolve(file)), network.weights));
  const names = prefix ? new Set(readTfCheckpoint(prefix).map((t) => t.name.replace(TF2, ''))) : null;
  const scope = typeof network.scope === 'string' ? `${network.scope}/` : '';
  if (Array.isArray(network.layers))
    for (const l of network.layers)
      if (l && typeof l === 'object' && !('weightNorm' in l))
        (l as Record<string, unknown>).weightNorm = !!names?.has(`${scope}${(l as { name?: string }).name}/V`);
  // Q(s, a): the first layer takes cat([state, action]), fed so by the critic engine (train/batch-tensors.ts).
}

/** Fills `network.layers` and `network.inputDim` of a raw config from the saved model it names; says what else it filled. */
async function resolveSavedModel(value: unknown, file: string, source?: YamlSource): Promise<string[]> {
  const raw = value as Record<string, unknown> | null;
  const network = (raw as { network?: Record<string, unknown> } | null)?.network;
  if (!raw || !network || typeof network !== 'object' || typeof network.model !== 'string') return [];
  const at = (key: string) => ({ file, line: source ? lineOf(source, ['network', key]) : undefined, path: `network.${key}` });
  for (const key of ['layers', 'inputDim'] as const) {
    if (network[key] !== undefined)
      throw new ConfigError(`network.${key}: give network.model or network.${key}, not both (the model says it)`, at(key));
  }
  // Loaded only here: a config without a saved model (lint, most runs) never loads tfjs for it.
  const { readSavedCritic, readKerasModel } = await import('./saved-model.js');
  const modelFile = path.resolve(path.dirname(path.resolve(file)), network.model);
  const keras = await readKerasModel(modelFile);
  const { isDenseChain, kerasDenseChain, qInputConcat, qLaterConcat } = await import('./keras-chain.js');
  const q = keras && qInputConcat(keras);
  const later = keras && !q ? qLaterConcat(keras) : null;
  if (keras && !isDenseChain(keras) && !q && !later) notTrainable(keras, kerasDenseChain);
  let action: string | undefined;
  if (q || later) {
    // A Q(s, a) critic of Dense layers, the action joining the first (cat(state, action)) or a
    // later one (cat(h, action), network.actionAt): a chain on the critic engine.
    const io = mapInputs(keras!, network, at);
    action = io.action!.name;
    if (later && later.action !== action)
      throw new ConfigError(
        `network.inputs: ${later.action} joins the model at ${later.concat} as its action, but action: ${action} names the other input`,
        at('inputs'),
      );
    network.actionDim = io.action!.width;
    network.inputs = { state: io.state.name, action };
    if (later) network.actionAt = later.at;
  } else if (network.inputs !== undefined)
    throw new ConfigError('network.inputs: the model has one input (a chain of Dense layers): leave inputs out', at('inputs'));
  const saved = await readSavedCritic(modelFile, action);
  network.inputDim = saved.inputDim;
  network.layers = saved.layers.map(layerConfigOf);
  const params = saved.layers.flatMap(paramsOf);
  if (!keras) return [];
  const { kerasSettings, kerasOptimizerState, describeFileOptimizer } = await import('./keras-training.js');
  const restore = network.restoreOptimizer;
  const fromFile = raw.optimizer === undefined;
  const s = kerasSettings(keras, { optimizer: fromFile || restore === true, loss: raw.loss === undefined });
  const base = path.basename(modelFile);
  const where = `${base}'s ${keras.format === 'h5' ? 'training_config' : 'compile_config'}`;
  const lines: string[] = [];
  if (fromFile && s.optimizer) {
    raw.optimizer = s.optimizer;
    const state = restore === false ? null : kerasOptimizerState(keras, s, params, Optimizer.parse(s.optimizer) as OptimizerConfig);
    if (restore === undefined) network.restoreOptimizer = state !== null;
    const slots = state
      ? `slots restored at iteration ${state.iteration}`
      : restore === false
        ? 'slots afresh: network.restoreOptimizer false'
        : 'no optimizer state stored';
    lines.push(`optimizer ${describeFileOptimizer(s.optimizer)} (from ${where}, ${slots})`);
    if (raw.clip === undefined && s.clip) {
      raw.clip = s.clip;
      lines.push(`clip ${s.clip.mode === 'none' ? 'none' : `${s.clip.mode} norm ${s.clip.norm}`} (from ${where})`);
    }
  }
  if (s.loss) {
    raw.loss = s.loss.loss;
    if (s.loss.huberDelta !== undefined && raw.huberDelta === undefined) raw.huberDelta = s.loss.huberDelta;
    lines.push(`loss ${s.loss.loss}${s.loss.loss === 'huber' ? ` δ ${raw.huberDelta}` : ''} (from ${where})`);
  }
  return lines;
}

/**
 * Refuses a model the critic engine cannot train, saying why: a layer of another class (the chain's
 * own message names it), or two inputs joined otherwise than by one Concatenate of the action.
 */
function notTrainable(keras: KerasModel, chain: (m: KerasModel) => unknown): never {
  const g = summarizeModel(keras);
  if (g.inputs.length === 2)
    modelError(
      keras.file,
      `its inputs ${g.inputs.map((i) => i.name).join(' and ')} join in a way critic-doctor does not train: a Q(s, a) critic ` +
        "concatenates the action with the state before its first Dense layer, or with one Dense layer's output before the next",
    );
  chain(keras);
  return modelError(keras.file, 'the model is not a chain of Dense layers critic-doctor can train');
}

/** A saved chain's layer as the config says it: plain dense, its activation, its folded normalisation. */
function layerConfigOf(l: SavedDense): Record<string, unknown> {
  return {
    name: l.name,
    units: l.units,
    activation: l.activation,
    ...(l.alpha !== undefined ? { alpha: l.alpha } : {}),
    weightNorm: false,
    ...(l.norm ? { norm: l.norm.kind, normEpsilon: l.norm.epsilon } : {}),
    ...(l.norm?.momentum !== undefined ? { normMomentum: l.norm.momentum } : {}),
    ...(l.dropout !== undefined ? { dropout: l.dropout } : {}),
    ...(l.residual !== undefined ? { residual: l.residual } : {}),
  };
}

/** Its parameters in the file's (and the optimizer's) order: W, b, then the normalisation's γ, β. */
function paramsOf(l: SavedDense): { name: string; shape: readonly number[] }[] {
  const norm = l.norm
    ? [
        { name: `${l.name}/gamma`, shape: l.norm.gamma.shape },
        { name: `${l.name}/beta`, shape: l.norm.beta.shape },
      ]
    : [];
  return [{ name: `${l.name}/W`, shape: l.kernel.shape }, { name: `${l.name}/b`, shape: l.bias.shape }, ...norm];
}

type At = (key: string) => { file: string; line?: number; path: string };

/** Which of a model's inputs is the state and which the action (`network.inputs`, required for two). */
function mapInputs(keras: KerasModel, network: Record<string, unknown>, at: At) {
  const g = summarizeModel(keras);
  const names = g.inputs.map((i) => i.name);
  const map = network.inputs as { state?: string; action?: string } | undefined;
  if (g.inputs.length > 2)
    modelError(
      keras.file,
      `the model has ${g.inputs.length} inputs (${names.join(', ')}); a critic takes a state, or a state and an action`,
    );
  if (g.inputs.length === 2 && (!map || !map.action))
    throw new ConfigError(
      `the model has two inputs (${names.join(', ')}): say which is which, network.inputs: { state: ${names[0]}, action: ${names[1]} }`,
      at('inputs'),
    );
  const pick = (key: 'state' | 'action', name: string | undefined) => {
    if (name === undefined) return undefined;
    const i = g.inputs.find((x) => x.name === name);
    if (!i) throw new ConfigError(`network.inputs.${key}: ${name} is not an input of the model (it has ${names.join(', ')})`, at('inputs'));
    return i;
  };
  const state = pick('state', map?.state) ?? g.inputs.find((x) => x.name !== map?.action) ?? g.inputs[0]!;
  const action = pick('action', map?.action);
  if (action && action.name === state.name) throw new ConfigError('network.inputs: state and action name the same input', at('inputs'));
  if (g.outputUnits !== 1) modelError(keras.file, `the model's output has ${g.outputUnits} units; a critic's value has 1`);
  return { g, state, action };
}
