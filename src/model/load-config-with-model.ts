import path from 'node:path';
import { ConfigError } from '../config/errors.js';
import { readConfigValue, validateConfig, type LoadedConfig } from '../config/load-config.js';
import { lineOf, type YamlSource } from '../config/yaml-source.js';

/**
 * `loadConfigFile`, and where the config names a saved model (`network.model`), the model read
 * through tf.loadLayersModel to fill in `network.layers` and `network.inputDim`.
 */
export async function loadConfig(file: string): Promise<LoadedConfig> {
  const { value, source } = readConfigValue(file);
  await resolveSavedModel(value, file, source);
  return validateConfig(value, file, source);
}

/** Fills `network.layers` and `network.inputDim` of a raw config from the saved model it names. */
async function resolveSavedModel(value: unknown, file: string, source?: YamlSource): Promise<void> {
  const network = (value as { network?: Record<string, unknown> } | null)?.network;
  if (!network || typeof network !== 'object' || typeof network.model !== 'string') return;
  const at = (key: string) => ({ file, line: source ? lineOf(source, ['network', key]) : undefined, path: `network.${key}` });
  for (const key of ['layers', 'inputDim'] as const) {
    if (network[key] !== undefined)
      throw new ConfigError(`network.${key}: give network.model or network.${key}, not both (the model says it)`, at(key));
  }
  // Loaded only here: a config without a saved model (lint, most runs) never loads tfjs for it.
  const { readSavedCritic } = await import('./saved-model.js');
  const saved = await readSavedCritic(path.resolve(path.dirname(path.resolve(file)), network.model));
  network.inputDim = saved.inputDim;
  network.layers = saved.layers.map((l) => ({ name: l.name, units: l.units, activation: l.activation, weightNorm: false }));
}
