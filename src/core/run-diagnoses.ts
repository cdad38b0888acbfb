import path from 'node:path';
import { tf } from '../util/tfjs.js';
import type { LoadedConfig } from '../config/load-config.js';
import { isKnownError } from '../config/errors.js';
import { lineOf } from '../config/yaml-source.js';
import type { Config } from '../config/schema.js';
import { createDataStream } from '../data/data-stream.js';
import { runFindings } from '../diagnose/run-findings.js';
import { lintConfig } from '../diagnose/lint.js';
import { analyzeFirstNonFinite } from '../diagnose/exact-op.js';
import { loadInitialParams, writeDump } from '../diagnose/dump.js';
import { buildCriticSpec, initBuffers, initParams, type CriticSpec } from '../model/critic.js';
import {
  stateDictTargets,
  withCheckpoint,
  withCheckpointOptimizerState,
  withSavedOptimizerState,
  withSavedBuffers,
  withSavedWeights,
  withStateDict,
} from '../model/start-from-files.js';
import { checkpointPrefix } from '../model/tf-checkpoint.js';
import { setMaxModelBytes } from '../model/model-budget.js';
import type { RunReport } from '../report/run-report.js';
import { reportHeader } from '../report/report-header.js';
import { selectBackend, type BackendInfo } from '../train/backend.js';
import type { ExactOp } from '../diagnose/exact-op.js';
import { createOptimizer } from '../train/optimizers.js';
import type { TrainArgs, TrainResult } from '../train/train-types.js';
import { trainEnsemble } from '../train/ensemble.js';
import { plantBatches, resolveRunConfig, type RunOptions } from './run-options.js';
import type { DataStream } from '../data/data-stream.js';
import { nudgeByUlp } from '../model/ulp-nudge.js';

import { Watchdog } from '../watch/watchdog.js';
import { EarlyWarningWatch } from '../watch/early-warning.js';
import { FindingsWatch } from '../watch/findings/findings-watch.js';

/**
 * Several runs trained as one ensemble (train/ensemble.ts) — each report exactly the one its lone
 * `runDiagnosis` would give, timing aside. They share the first run's backend and signal.
 */
export async function runDiagnoses(all: readonly RunOptions[]): Promise<RunReport[]> {
  const backend = await selectBackend(all[0]!.backend ?? 'auto');
  const runs = await Promise.all(all.map(prepareRun));
  const t0 = performance.now();
  let results: TrainResult[];
  let engineError: string | undefined;
  try {
    results = await trainEnsemble({ members: runs.map((r) => r.args), signal: all[0]!.signal });
    for (const r of results) tf.dispose([...r.state.params, ...r.state.slots.flat(), ...(r.state.buffers ?? [])]);
  } catch (e) {
    if (isKnownError(e)) throw e;
    // An engine failure mid-run: report what was seen up to here (status "error"); the CLI exits 3.
    engineError = e instanceof Error ? e.message : String(e);
    results = runs.map((r) => {
      r.watchdog.onTrainEnd();
      return { state: r.args.state, stepsRun: r.watchdog.stepsSeen, stopReason: 'completed', seconds: (performance.now() - t0) / 1000 };
    });
  }
  return runs.map((r, i) => finishRun(r, results[i]!, backend, engineError));
}

/** A run made ready to train: its resolved config, data, initial state and instruments. */
interface PreparedRun {
  opts: RunOptions;
  config: Config;
  startedAt: string;
  stream: DataStream;
  watchdog: Watchdog;
  early: EarlyWarningWatch;
  silent: FindingsWatch;
  args: TrainArgs;
  exactOp: ExactOp | null;
}

/** Parameters and batch-norm statistics from the saved model a config names (none with initFrom). */
async function fromSavedModel(
  opts: RunOptions,
  config: Config,
  spec: CriticSpec,
  params: tf.Tensor[],
): Promise<{ params: tf.Tensor[]; buffers: tf.Tensor[] }> {
  const buffers = initBuffers(spec);
  if (!config.network.model || config.network.initFrom) return { params, buffers };
  const file = path.resolve(path.dirname(path.resolve(opts.loaded.file)), config.network.model);
  const action = config.network.inputs?.action;
  return {
    params: await withSavedWeights(file, spec.paramNames, params, action),
    buffers: await withSavedBuffers(file, spec.bufferNames, buffers, action),
  };
}

async function prepareRun(opts: RunOptions): Promise<PreparedRun> {
  const config = resolveRunConfig(opts);
  const startedAt = (opts.now ?? (() => new Date()))().toISOString();
  const spec = buildCriticSpec(config);
  setMaxModelBytes(config.network.maxModelBytes);
  const stream =
    opts.stream ?? (await createDataStream(config, { baseDir: path.dirname(path.resolve(opts.loaded.file)), badRows: opts.badRows }));
  plantBatches(stream, opts.plant);
  const initial = config.network.initFrom
    ? loadInitialParams(
        path.resolve(path.dirname(path.resolve(opts.loaded.file)), config.network.initFrom),
        spec.paramNames,
        spec.paramShapes,
      )
    : initParams(spec, config.seed);
  const saved = await fromSavedModel(opts, config, spec, initial);
  let params = saved.params;
  const buffers = saved.buffers;
  let target: tf.Tensor[] | undefined;
  const weightsFile = config.network.weights && path.resolve(path.dirname(path.resolve(opts.loaded.file)), config.network.weights);
  const checkpoint = weightsFile ? checkpointPrefix(weightsFile) : null;
  if (checkpoint && !config.network.initFrom) params = withCheckpoint(checkpoint, config.network, spec.paramNames, params);
  else if (weightsFile && !config.network.initFrom) {
    params = withStateDict(weightsFile, config.network, spec.paramNames, params);
    // SB3's critic_target.* beside critic.*: the target networks start where the Python run left them.
    if (config.data.targetNetwork) target = stateDictTargets(weightsFile, config.network, spec.paramNames, params) ?? undefined;
  }
  if (opts.plant?.params) params = plantParams(params, spec.paramNames, opts.plant.params);
  if (opts.replica) params = nudgeParams(params, config.seed, opts.replica);
  const optimizer = createOptimizer(config.optimizer);
  let slots = optimizer.initSlots(params);
  let iteration = 0;
  // A TensorFlow checkpoint's slots and step: the run resumes where the TF run stopped (restoreOptimizer: false starts afresh).
  const fromCheckpoint =
    checkpoint && !config.network.initFrom && config.network.restoreOptimizer !== false
      ? withCheckpointOptimizerState(checkpoint, config.network, spec.paramNames, optimizer.slotNames, config.optimizer, slots)
      : null;
  if (fromCheckpoint) ({ slots, iteration } = fromCheckpoint);
  if (config.network.model && config.network.restoreOptimizer) {
    const modelFile = path.resolve(path.dirname(path.resolve(opts.loaded.file)), config.network.model);
    const restored = await withSavedOptimizerState(modelFile, spec.paramNames, optimizer.slotNames, config.optimizer, slots);
    if (restored) ({ slots, iteration } = restored);
  }
  const state = { params, slots, iteration, buffers, ...(target ? { target } : {}) };
  const watchdog = new Watchdog(config.watch, config.steps);
  const early = new EarlyWarningWatch();
  const silent = new FindingsWatch();
  const run: PreparedRun = { opts, config, startedAt, stream, watchdog, early, silent, exactOp: null, args: undefined! };
  run.args = {
    config,
    spec,
    stream,
    state,
    steps: config.steps,
    callbacks: [watchdog, early, silent, ...(opts.callbacks ?? [])],
    failAtStep: opts.plant?.failAtStep,
    onFirstNonFinite: (info) => {
      run.exactOp = analyzeFirstNonFinite(info);
    },
    afterStep: opts.dumpDir
      ? (step, record) => {
          const event = (['explosion', 'inf', 'nan'] as const)
            .map((k) => watchdog.first[k])
            .filter((e) => e?.step === step)
            .at(-1);
          if (event) writeDump(opts.dumpDir!, record(), event, config, opts.loaded.hash);
        }
      : undefined,
  };
  return run;
}

function finishRun(run: PreparedRun, result: TrainResult, backend: BackendInfo, engineError: string | undefined): RunReport {
  const { opts, config, watchdog, stream } = run;
  const findings = runFindings(watchdog, run.early, run.silent, config, result.stepsRun);
  return {
    ...reportHeader('run', opts.loaded, config),
    ...(opts.loaded.settingsFrom ? { settingsFrom: opts.loaded.settingsFrom } : {}),
    environment: { backend: backend.name, tfjsBackend: backend.tfjsBackend, tfjsVersion: backend.tfjsVersion, node: process.version },
    layerLines: layerLines(opts.loaded),
    data: stream.description,
    droppedRows: stream.droppedRows,
    seed: config.seed,
    stepsRequested: config.steps,
    stepsRun: result.stepsRun,
    status: engineError ? 'error' : result.stopReason,
    ...(result.stopDetail ? { stopDetail: result.stopDetail } : {}),
    ...(engineError ? { error: engineError } : {}),
    verdict: findings.verdict,
    lint: lintConfig({ config, source: opts.loaded.source }),
    earlyWarning: findings.earlyWarning,
    findings: findings.findings,
    causalChain: findings.causalChain,
    exactOp: run.exactOp,
    firstEvents: findings.firstEvents,
    tables: findings.tables,
    history: findings.history,
    watched: findings.watched,
    timing: { seconds: result.seconds, stepsPerSecond: result.seconds > 0 ? result.stepsRun / result.seconds : 0 },
    startedAt: run.startedAt,
  };
}

/** A replica's initial parameters: the run's, each value one ulp up or down (model/ulp-nudge.ts). */
function nudgeParams(params: tf.Tensor[], seed: number, replica: number): tf.Tensor[] {
  const values = nudgeByUlp(
    params.map((p) => p.dataSync() as Float32Array),
    seed,
    replica,
  );
  const out = params.map((p, i) => tf.tensor(values[i]!, p.shape));
  tf.dispose(params);
  return out;
}

function plantParams(
  params: tf.Tensor[],
  names: string[],
  f: (name: string, values: Float32Array, shape: number[]) => Float32Array | void,
): tf.Tensor[] {
  return params.map((p, i) => {
    const values = p.dataSync().slice() as Float32Array;
    const changed = f(names[i]!, values, p.shape);
    if (!changed) return p;
    const t = tf.tensor(changed, p.shape);
    p.dispose();
    return t;
  });
}

/** Each layer's line in the config file (CI annotations point there). */
function layerLines(loaded: LoadedConfig): Record<string, number> {
  const out: Record<string, number> = {};
  const src = loaded.source;
  if (!src) return out;
  loaded.config.network.layers.forEach((l, i) => {
    const line = lineOf(src, ['network', 'layers', i]);
    if (line !== undefined) out[l.name] = line;
  });
  return out;
}
