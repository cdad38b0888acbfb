import type { ActivationNameT } from '../config/schema.js';

/** One run of a comparison: an activation on the chosen layers, and a seed. */
export interface Cell {
  /** Position in the full activation × seed grid (activation-major), stable across shards. */
  index: number;
  activation: ActivationNameT;
  seed: number;
  /** A named config variant of the job (treat's remedies) instead of an activation swap. */
  variant?: string;
  /** Replica r > 0 of the job's config (`run --replicas` spread over worker threads): initial parameters nudged by one ulp. */
  replica?: number;
}

/** The full grid, activation-major: every activation's seeds in the order given. */
export function buildGrid(activations: readonly ActivationNameT[], seeds: readonly number[]): Cell[] {
  return activations.flatMap((activation, a) => seeds.map((seed, s) => ({ index: a * seeds.length + s, activation, seed })));
}

/**
 * The i-th of n deterministic slices (1-based, as Playwright and Jest number shards): cells are
 * dealt round-robin so each shard gets a mix of activations and similar work.
 */
export function shardCells(cells: readonly Cell[], index: number, count: number): Cell[] {
  return cells.filter((c) => c.index % count === index - 1);
}
