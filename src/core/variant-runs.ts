import type { LoadedConfig } from '../config/load-config.js';
import type { Config, FailOnT } from '../config/schema.js';
import type { CellResult } from '../diagnose/cell-result.js';
import type { BackendChoice } from '../train/backend-choices.js';
import type { Cell } from './cell.js';
import { runCells } from './cells.js';

/** How a multi-run command runs its cells: the options compare-activations and treat share. */
export interface VariantRunOptions {
  loaded: LoadedConfig;
  backend?: BackendChoice;
  /** Parallel runs; default one per core. */
  concurrency?: number;
  /** Each run with this many replicas nudged at float32 rounding level (robustness per cell). */
  replicas?: number;
  onCellDone?: (r: CellResult, done: number, total: number) => void;
  /** Aborting stops the runs in progress after their current step; their partial results come back. */
  signal?: AbortSignal;
}

/** What varies between the runs: the named configs, the layers a cell summary averages, the fail level. */
export interface Variants {
  variants: Record<string, Config>;
  layers: string[];
  failOn?: FailOnT;
}

/** The one path compare-activations and treat run their cells by: each cell its variant's config at its seed. */
export function runVariants(
  opts: VariantRunOptions,
  v: Variants,
  cells: readonly Cell[],
): Promise<{ results: CellResult[]; workers: number }> {
  return runCells({
    job: {
      variants: v.variants,
      file: opts.loaded.file,
      layers: v.layers,
      failOn: v.failOn,
      backend: opts.backend ?? 'auto',
      replicas: opts.replicas,
    },
    cells,
    concurrency: opts.concurrency,
    onCellDone: opts.onCellDone,
    signal: opts.signal,
  });
}
