import path from 'node:path';
import { ConfigError } from '../config/errors.js';
import { readConfigValue, validateConfig, type LoadedConfig } from '../config/load-config.js';
import type { OptimizerConfig } from '../config/schema.js';
import { Optimizer } from '../config/schema.js';
import { lineOf, type YamlSource } from '../config/yaml-source.js';

/**
 * `loadConfigFile`, and where the config names a saved model (`network.model`), the model read
 * to fill in `network.layers` and `network.inputDim` — and, from a Keras file, the optimizer,
 * clipping and loss `compile` left there, for each the config does not set.
 */
export async function loadConfig(file: string): Promise<LoadedConfig> {
  const { value, source } = readConfigValue(file);
  const settingsFrom = await resolveSavedModel(value, file, source);
  const loaded = validateConfig(value, file, source);
  return settingsFrom.length ? { ...loaded, settingsFrom } : loaded;
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
  const saved = await readSavedCritic(modelFile);
  network.inputDim = saved.inputDim;
  network.layers = saved.layers.map((l) => ({ name: l.name, units: l.units, activation: l.activation, weightNorm: false }));
  const keras = await readKerasModel(modelFile);
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
    const params = saved.layers.flatMap((l) => [
      { name: `${l.name}/W`, shape: l.kernel.shape },
      { name: `${l.name}/b`, shape: l.bias.shape },
    ]);
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
