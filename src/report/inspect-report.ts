import type { ModelFormat } from '../model/model-format.js';

/** What `critic-doctor inspect FILE` says of a model or weights file: plain data, rendered by report/inspect-text.ts. */
export interface InspectReport {
  file: string;
  format: ModelFormat;
  /** Writer and version where the file stores them (keras_version, …). */
  writer?: string;
  tensors: { name: string; shape: number[]; dtype: string }[];
  /** Layers as a config would list them, where the names show them (`critic.0`, `h1`, `dense_6`). */
  layers: { name: string; units: number; inputs: number }[];
  /** A model file: the critic critic-doctor trains from it (each layer's width, activation, normalisation, dropout, sum), or why none. */
  critic?: { layers: string[]; actionAt?: string } | { refused: string };
  /** Optimizer state found beside the weights: a short description. */
  optimizer?: string;
  /** The config lines to run it. */
  config: string[];
}
