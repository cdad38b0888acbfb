import type { Config, FailOnT } from '../config/schema.js';
import type { BackendChoice } from '../train/backend-choices.js';

/**
 * One run of a multi-run command: a named variant of the config (compare-activations: an
 * activation; treat: a remedy, the baseline or the reference; --replicas: the run itself) at a
 * seed, and for replicas r > 0 the replica (initial parameters nudged by one ulp).
 */
export interface Cell {
  /** Position in the full variant × seed grid (variant-major), stable across shards. */
  index: number;
  variant: string;
  seed: number;
  replica?: number;
}

/** What a worker needs to run cells: plain data (structured-clone safe). */
export interface CellJob {
  /** The configs a cell's `variant` names; a cell runs its variant with its own seed. */
  variants: Record<string, Config>;
  file: string;
  /** Layers whose statistics the cell summary averages (dead/saturated fractions). */
  layers: string[];
  failOn?: FailOnT;
  backend: BackendChoice;
  /** Each cell trained with this many replicas (core/replicas.ts); default 1. */
  replicas?: number;
}

/** The full grid, variant-major: every variant's seeds in the order given. */
export function buildGrid(variants: readonly string[], seeds: readonly number[], from = 0): Cell[] {
  return variants.flatMap((variant, a) => seeds.map((seed, s) => ({ index: from + a * seeds.length + s, variant, seed })));
}

/**
 * The i-th of n deterministic slices (1-based, as Playwright and Jest number shards): cells are
 * dealt round-robin so each shard gets a mix of variants and similar work.
 */
export function shardCells(cells: readonly Cell[], index: number, count: number): Cell[] {
  return cells.filter((c) => c.index % count === index - 1);
}

/** "relu seed 3", "he-init seed 0 replica 2" */
export function cellName(c: Cell): string {
  return `${c.variant} seed ${c.seed}${c.replica ? ` replica ${c.replica}` : ''}`;
}
