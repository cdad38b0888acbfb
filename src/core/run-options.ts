import type { LoadedConfig } from '../config/load-config.js';
import type { Config, FailOnT } from '../config/schema.js';
import type { DataStream } from '../data/data-stream.js';
import type { Batch } from '../data/transitions.js';
import type { BackendChoice } from '../train/backend-choices.js';
import type { Instrument } from '../watch/instrument.js';

export interface RunOptions {
  loaded: LoadedConfig;
  /**
   * The run's data, already read (the CLI reads it before loading the engine, so a data file's
   * error exits without loading tfjs); else read by the run. Its own replicas read their own.
   */
  stream?: DataStream;
  /** Overrides of the config's `steps` and `seed` (command-line flags). */
  steps?: number;
  seed?: number;
  failOn?: FailOnT;
  backend?: BackendChoice;
  /** Extra callbacks (progress bars); they see every step after the watchdog. */
  callbacks?: Instrument[];
  signal?: AbortSignal;
  now?: () => Date;
  /** Recorded data: refuse bad rows (default) or drop them and count them. */
  badRows?: 'error' | 'drop';
  /**
   * Crash dump folder: at each new first event (explosion, then Inf, then NaN) the state before
   * that step, its minibatch and the sampler's RNG state are written there (the last write wins).
   */
  dumpDir?: string;
  /**
   * Train this many runs as one ensemble: the run itself and replicas nudged at float32 rounding
   * level; the report gains a `robustness` section. Default 1 (the run alone).
   */
  replicas?: number;
  /** This run is replica r of another (r > 0): its initial parameters are nudged by one ulp. */
  replica?: number;
  /** Cores to spread replicas over (default: the machine's); 1 keeps them all in this thread. */
  cores?: number;
  /**
   * Fault planting, for tests and experiments that plant a fault on purpose: change the initial
   * parameters (by name) or a step's minibatch before training sees them.
   */
  plant?: {
    params?: (name: string, values: Float32Array, shape: number[]) => Float32Array | void;
    batch?: (step: number, batch: Batch) => Batch | void;
    /** Make the engine fail at this step (tests of the internal-error path). */
    failAtStep?: number;
  };
}

/** The resolved config of a run: file config with command-line overrides applied. */
export function resolveRunConfig(opts: Pick<RunOptions, 'loaded' | 'steps' | 'seed' | 'failOn'>): Config {
  const c = opts.loaded.config;
  return {
    ...c,
    steps: opts.steps ?? c.steps,
    seed: opts.seed ?? c.seed,
    watch: { ...c.watch, failOn: opts.failOn ?? c.watch.failOn },
  };
}

/** A planted batch fault: the stream's sampler hands each step's minibatch to `plant.batch` first (tests, experiments). */
export function plantBatches(stream: DataStream, plant: RunOptions['plant']): void {
  const f = plant?.batch;
  if (!f) return;
  const sampler = stream.sampler;
  const next = sampler.next.bind(sampler);
  let step = 0;
  sampler.next = () => {
    const b = next();
    return f(step++, b) ?? b;
  };
}
