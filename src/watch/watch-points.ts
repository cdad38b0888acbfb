/**
 * Where in a training step a tensor is made, in the order the step makes them: `input` is what the
 * step was fed (a model's inputs, watched by watchModel), before any layer ran.
 */
export const PHASES = ['input', 'forward', 'loss', 'backward', 'clip', 'update'] as const;
export type Phase = (typeof PHASES)[number];

import type { InactivityKind } from '../model/activations.js';

/** How a watched tensor's units are checked for inactivity (only pre-activations are): the layer's activation's kind. */
export type InactivityMode = InactivityKind;

/**
 * What a watched tensor is to its layer, for the per-layer tables: its matrix product (x·V), its
 * pre-activation and output, a gradient of one of its own parameters (counted in ‖∂loss/∂θ‖), its
 * main weight matrix and its gain g after the update, that matrix's step θ_new − θ_old; and the
 * critic's loss and target.
 */
export type PointRole = 'matmul' | 'pre' | 'output' | 'param-grad' | 'weight' | 'weight-step' | 'gain' | 'loss' | 'target';

/** A watched tensor: the watchdog reports events by these names. */
export interface WatchPoint {
  phase: Phase;
  /** Layer name, or null for tensors of the whole critic (target, loss, global norm). */
  layer: string | null;
  /** Human name: "x·V", "scaler", "pre-activation", "activation", "gradient of V", "ms of g", ... */
  tensor: string;
  /** The parameter this tensor belongs to (`l3/V`), for gradients, clipped gradients, slots, updates. */
  param?: string;
  /** Machine key, unique per step: `forward/l3/pre-activation`. */
  key: string;
  size: number;
  inactivity: InactivityMode;
  saturationThreshold: number;
  role?: PointRole;
}

/** "l3_1, backward, gradient of pre-activation" */
export function describePoint(p: Pick<WatchPoint, 'phase' | 'layer' | 'tensor'>): string {
  if (p.layer) return `${p.layer}, ${p.phase}, ${p.tensor}`;
  return p.tensor === p.phase ? p.tensor : `${p.phase}, ${p.tensor}`;
}
