import type { ActivationNameT, Config } from '../config/schema.js';

/**
 * The config with the given layers' activation replaced and the seed set: nothing else changes,
 * so the initial V/g/b and the data batches (both functions of the seed alone) are the same for
 * every activation.
 */
export function activationVariant(config: Config, layers: readonly string[], activation: ActivationNameT, seed: number): Config {
  const names = new Set(layers);
  return {
    ...config,
    seed,
    network: {
      ...config.network,
      layers: config.network.layers.map((l) => {
        if (!names.has(l.name)) return l;
        // alpha belongs to the activation it was written for (leaky_relu's slope, elu's alpha).
        const { alpha, ...rest } = l;
        return activation === l.activation && alpha !== undefined ? { ...rest, activation, alpha } : { ...rest, activation };
      }),
    },
  };
}

/** Layers compared by default: every layer that has a nonlinearity in the config. */
export function defaultCompareLayers(config: Config): string[] {
  return config.network.layers.filter((l) => l.activation !== 'linear').map((l) => l.name);
}
