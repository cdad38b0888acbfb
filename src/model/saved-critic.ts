import type { ActivationNameT } from '../config/schema.js';

/** A Dense layer of a saved model, in the config's words, with its saved kernel and bias. */
export interface SavedDense {
  name: string;
  units: number;
  activation: ActivationNameT;
  alpha?: number;
  kernel: { values: Float32Array; shape: [number, number] };
  bias: { values: Float32Array; shape: [number] };
  /** Dropout after the nonlinearity (a folded Keras Dropout): its rate. */
  dropout?: number;
  /** A residual connection: the earlier layer whose output is added to this one's (a Keras `Add`). */
  residual?: string;
  /** A normalisation between x·W + b and the nonlinearity (a folded LayerNormalization or BatchNormalization). */
  norm?: {
    kind: 'layer' | 'batch';
    epsilon: number;
    gamma: { values: Float32Array; shape: [number] };
    beta: { values: Float32Array; shape: [number] };
    /** Batch norm: its moving-average momentum and the moving mean and variance it has reached. */
    momentum?: number;
    movingMean?: { values: Float32Array; shape: [number] };
    movingVariance?: { values: Float32Array; shape: [number] };
  };
}

/** What a saved tfjs LayersModel gives a critic: its input width and its Dense layers. */
export interface SavedCritic {
  inputDim: number;
  layers: SavedDense[];
  /** A Q(s, a) critic whose action joins a later layer: that layer's name (`network.actionAt`). */
  actionAt?: string;
}
