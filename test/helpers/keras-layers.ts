import type { KerasModel, KerasTensor } from '../../src/model/keras-model.js';

/** A layer of a Keras model as the readers give it: class, name, the layers it takes, its config. */
export function kerasLayer(className: string, name: string, inbound: string[], config: Record<string, unknown> = {}) {
  return { className, name, inbound, config: { name, ...config } };
}

/** A model of those layers (and weights by layer name), as a Keras `.h5` reader would give it. */
export function kerasModelOf(layers: KerasModel['layers'], weights = new Map<string, KerasTensor[]>()): KerasModel {
  return { file: 'x.h5', format: 'h5', kerasVersion: '', modelClass: 'Functional', layers, weights, optimizerVars: [] };
}
