import { z } from 'zod';
import { headLayerName } from '../model/head-names.js';
import { Float } from '../util/float-schema.js';
import { VerdictSchema } from '../diagnose/verdict.js';
import { LintFindingSchema } from '../diagnose/lint-finding.js';
import { CausalChainSchema } from '../diagnose/causal-chain.js';
import { ExactOpSchema } from '../diagnose/exact-op-schema.js';
import { RobustnessSchema } from '../diagnose/robustness.js';
import { FirstEventsSchema } from '../watch/events.js';
import { EarlyWarningSchema } from '../watch/early-warning.js';
import { FindingSchema } from '../watch/findings/finding.js';
import { HistoryPointSchema } from '../watch/history.js';

import { ConfigSchema } from '../config/schema.js';
import { reportHeaderSchema } from './report-header.js';
import { RunStatusSchema } from '../diagnose/run-status.js';

export { REPORT_SCHEMA_VERSION, ToolSchema } from './report-header.js';

/**
 * Everything `critic-doctor run` found, as plain data: reporters only format it. `timing` and
 * `startedAt` are the only fields that differ between two runs of the same config, seed and
 * backend. `critic-doctor report-schema` prints this as JSON Schema.
 */

/** What a watchModel report knows of a model it did not build: its name, layers and watch limit. */
export const WatchedModelSchema = z.object({
  name: z.string(),
  /** The leaf layers in call order, with their widths and (tfjs) activations in our vocabulary. */
  layers: z.array(z.object({ name: z.string(), units: z.int(), activation: z.string() })),
  /** The model's optimizer, as it says of itself ("Adam lr 0.001 β₁ 0.9 …"). */
  optimizer: z.string(),
  explosionThreshold: Float,
});
export type WatchedModel = z.infer<typeof WatchedModelSchema>;

export const RunReportSchema = reportHeaderSchema('run').extend({
  /** The config file (absent for watchModel: none was read). */
  configFile: z.string().optional(),
  /** The resolved config (absent for watchModel, which did not build the model: see `model`). */
  config: ConfigSchema.optional(),
  /** watchModel only: the model as the watcher found it (then `config` is absent). */
  model: WatchedModelSchema.optional(),
  /** Settings the config did not set and a file gave (a Keras model's optimizer, clipping, loss), one line each. */
  settingsFrom: z.array(z.string()).optional(),
  environment: z.object({ backend: z.string(), tfjsBackend: z.string(), tfjsVersion: z.string(), node: z.string() }),
  /** 1-based line of each layer in the config file, when it came from a file (for CI annotations). */
  layerLines: z.record(z.string(), z.int()),
  data: z.string(),
  /** Recorded rows dropped as bad (run --allow-bad-rows drop); 0 otherwise. */
  droppedRows: z.int(),
  /**
   * Who wrote it: absent for `critic-doctor run`; "watchModel" for the library's watcher of a model
   * it did not build — then there is no seed, no lint and no config hash, and `stepsRequested`
   * only where fit said how many (epochs × batches) or the caller did.
   */
  source: z.literal('watchModel').optional(),
  /** The model's own graph in one line (watchModel): inputs with widths, merges with their operands. */
  graph: z.string().optional(),
  seed: z.int().optional(),
  stepsRequested: z.int().optional(),
  stepsRun: z.int(),
  /**
   * completed: ran every step; stopped: stopped early (NaN, stopOnNaN); interrupted: by a signal
   * (exit 130/143); error: the engine failed mid-run (exit 3), the report holds what came before.
   */
  status: RunStatusSchema,
  stopDetail: z.string().optional(),
  /** The engine's error message when status is "error". */
  error: z.string().optional(),
  verdict: VerdictSchema,
  /** Static warnings about the config (critic-doctor lint), found before training (absent for watchModel). */
  lint: z.array(LintFindingSchema).optional(),
  /** The first exponential-growth warning (overflow predicted within the budget), or null. */
  earlyWarning: EarlyWarningSchema.nullable(),
  /** Silent failures (no NaN needed): layers saturated, dead or starved of gradient, a loss flat under growing targets. */
  findings: z.array(FindingSchema).default([]),
  /** How the run got to its first trouble, read off the history (null when healthy). */
  causalChain: CausalChainSchema.nullable(),
  /** The first elementary op that produced a NaN/Inf, from replaying that step (null when none did). */
  exactOp: ExactOpSchema.nullable(),
  firstEvents: FirstEventsSchema,
  /**
   * With `run --replicas K`: whether the diagnosis survives float32-rounding-level perturbations
   * (replica 0 is this run; the others nudge every initial parameter by one ulp). Absent otherwise.
   */
  robustness: RobustnessSchema.optional(),
  /** Per-layer pictures: the step before the first event, each first event's step, the last step. */
  tables: z.object({
    lastHealthy: HistoryPointSchema.nullable(),
    nan: HistoryPointSchema.nullable(),
    inf: HistoryPointSchema.nullable(),
    explosion: HistoryPointSchema.nullable(),
    last: HistoryPointSchema.nullable(),
  }),
  history: z.object({ every: z.int(), points: z.array(HistoryPointSchema) }),
  /** Keys of every watched tensor, in step order ("forward/l3/pre-activation", ...). */
  watched: z.array(z.string()),
  timing: z.object({ seconds: Float, stepsPerSecond: Float }),
  startedAt: z.string(),
});
export type RunReport = z.infer<typeof RunReportSchema>;

/** "118/5000 steps", or "5 steps" where no budget was set (watchModel without fit's numbers). */
export function stepsText(r: Pick<RunReport, 'stepsRun' | 'stepsRequested'>): string {
  return r.stepsRequested !== undefined ? `${r.stepsRun}/${r.stepsRequested} steps` : `${r.stepsRun} steps`;
}

/** " · seed 0", or nothing where there is no seed (watchModel). */
export function seedText(r: Pick<RunReport, 'seed'>): string {
  return r.seed !== undefined ? ` · seed ${r.seed}` : '';
}

/** The run's name: the config's name or file, or the watched model's name. */
export function runName(r: Pick<RunReport, 'config' | 'configFile' | 'model'>): string {
  return r.config?.name ?? r.configFile ?? r.model?.name ?? '';
}

/** Where it came from, for a report's meta line: the config file, or `watchModel(<name>)`. */
export function runSource(r: Pick<RunReport, 'config' | 'configFile' | 'model'>): string {
  return r.configFile ?? `watchModel(${runName(r)})`;
}

/** The layers in order with their activations, from the config or the watched model. */
export function runLayers(r: Pick<RunReport, 'config' | 'model'>): { name: string; units: number; activation: string }[] {
  const n = r.config?.network;
  if (n && n.critics > 1)
    return Array.from({ length: n.critics }, (_, h) => n.layers.map((l) => ({ ...l, name: headLayerName(l.name, h, n.critics) }))).flat();
  return n?.layers ?? r.model?.layers ?? [];
}

/** The |x| limit the watchdog called an explosion. */
export function runExplosionThreshold(r: Pick<RunReport, 'config' | 'model'>): number {
  return r.config?.watch.explosionThreshold ?? r.model?.explosionThreshold ?? Infinity;
}
