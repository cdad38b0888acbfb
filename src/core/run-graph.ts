import path from 'node:path';
import { tf } from '../util/tfjs.js';
import { ConfigError } from '../config/errors.js';
import type { Config } from '../config/schema.js';
import { createDataStream } from '../data/data-stream.js';
import type { Batch } from '../data/transitions.js';
import { lintConfig } from '../diagnose/lint.js';
import { buildKerasGraph } from '../model/keras-graph.js';
import { kerasOptimizerState, kerasSettings } from '../model/keras-training.js';
import type { KerasModel } from '../model/keras-model.js';
import { readKerasModel } from '../model/saved-model.js';
import { nudgeByUlp } from '../model/ulp-nudge.js';
import { watchModel } from '../own-model/watch-model.js';
import { reportHeader } from '../report/report-header.js';
import type { RunReport } from '../report/run-report.js';
import { selectBackend } from '../train/backend.js';
import { ConfigOptimizer, type StartingSlots } from '../train/graph-optimizer.js';
import { smoothL1Loss } from '../train/loss.js';
import { plantBatches, resolveRunConfig, type RunOptions } from './run-options.js';

/**
 * `critic-doctor run` on a Keras graph (`network.graph`: several inputs, a Concatenate, a
 * normalisation…): the model rebuilt as a tfjs LayersModel, trained on the config's data with the
 * config's optimizer, clipping and loss (train/graph-optimizer.ts: the critic engine's update
 * rules), under watchModel's instrument — the same phases, tables, findings and verdict a model
 * of your own gets — and reported as a run of this config. Q(s, a) critics take the batch's
 * actions in their action input and bootstrap from Q(s', a') with the data's next action.
 */
export async function runGraph(opts: RunOptions): Promise<RunReport> {
  const config = resolveRunConfig(opts);
  refuseUnsupported(config, opts);
  const backend = await selectBackend(opts.backend ?? 'auto');
  const startedAt = (opts.now ?? (() => new Date()))().toISOString();
  const baseDir = path.dirname(path.resolve(opts.loaded.file));
  const stream = await createDataStream(config, { baseDir, badRows: opts.badRows });
  plantBatches(stream, opts.plant);
  const keras = await graphModel(config, baseDir);
  const model = buildKerasGraph(keras, config.network.layers, config.seed);
  if (opts.replica) nudgeWeights(model, config.seed, opts.replica);
  const optimizer = new ConfigOptimizer(config, config.network.restoreOptimizer ? startingSlots(model, keras, config) : undefined);
  model.compile({ optimizer, loss: lossFunction(config) });
  const watcher = watchModel(model, {
    explosionThreshold: config.watch.explosionThreshold,
    stopOnNaN: config.watch.stopOnNaN,
    failOn: config.watch.failOn,
    historySize: config.watch.historySize,
    steps: config.steps,
    name: config.name,
    optimizer,
    instruments: opts.callbacks,
  });
  const inputs = inputOrder(model, config);
  const dropouts = model.layers.filter((l) => l.getClassName() === 'Dropout') as unknown as { seed?: number }[];
  const varList = model.trainableWeights.map((w) => w.read() as tf.Variable);
  // The compiled loss function, looked up at each call: the watcher wraps it (to see the target) while a step runs.
  const compiled = model as unknown as { lossFunctions: ((y: tf.Tensor, p: tf.Tensor) => tf.Scalar)[] };
  const lossFn = (y: tf.Tensor, p: tf.Tensor) => compiled.lossFunctions[0]!(y, p);
  let status: RunReport['status'] = 'completed';
  try {
    for (let step = 0; step < config.steps; step++) {
      if (opts.signal?.aborted) {
        status = 'interrupted';
        break;
      }
      const batch = stream.sampler.next();
      // Each step its own dropout masks, the same for the same seed and step (tfjs reuses a seeded mask).
      dropouts.forEach((d, i) => (d.seed = config.seed * 7919 + i * 104_729 + step));
      const x = inputTensors(inputs, batch, false);
      const target = targetOf(model, inputs, batch);
      const r = await watcher.step(() => lossFn(target, model.apply(x, { training: true }) as tf.Tensor), varList);
      tf.dispose([...x, target]);
      if (r.stop) {
        status = 'stopped';
        break;
      }
      if (step % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
    }
    opts.onGraphTrained?.(
      model.trainableWeights.map((w) => ({
        name: w.originalName,
        values: w.read().dataSync() as Float32Array,
        shape: w.shape as number[],
      })),
    );
    const watched = watcher.report();
    const { source: _source, model: _model, ...rest } = watched;
    return {
      ...rest,
      ...reportHeader('run', opts.loaded, config),
      ...(opts.loaded.settingsFrom ? { settingsFrom: opts.loaded.settingsFrom } : {}),
      environment: { backend: backend.name, tfjsBackend: backend.tfjsBackend, tfjsVersion: backend.tfjsVersion, node: process.version },
      layerLines: {},
      data: stream.description,
      droppedRows: stream.droppedRows,
      seed: config.seed,
      stepsRequested: config.steps,
      status: status === 'completed' ? watched.status : status,
      lint: lintConfig({ config, source: opts.loaded.source }),
      startedAt,
    };
  } finally {
    watcher.dispose();
    optimizer.dispose();
    model.dispose();
  }
}

/** The graph a config names: a saved model (Keras, ONNX) that is more than a chain. */
async function graphModel(config: Config, baseDir: string): Promise<KerasModel> {
  return (await readKerasModel(path.resolve(baseDir, config.network.model!)))!;
}

/** What the critic engine does and a graph here does not (yet): refused, not silently dropped. */
function refuseUnsupported(config: Config, opts: RunOptions): void {
  const d = config.data;
  const no = (what: string, key: string) => {
    const source = config.network.model ? `network.model ${config.network.model}` : `network.weights ${config.network.weights}`;
    throw new ConfigError(`${what} is not available for a graph model (${source}) yet`, {
      file: opts.loaded.file,
      path: key,
    });
  };
  if (d.returnNormalization) no('per-batch return normalisation', 'data.returnNormalization');
  if (d.targetNetwork) no('a target network', 'data.targetNetwork');
  if (d.source === 'recorded' && d.targets === 'gae') no('GAE targets', 'data.targets');
  if (config.network.initFrom) no('initFrom', 'network.initFrom');
  if (config.regularization.addToLoss && (config.regularization.l1 || config.regularization.l2))
    no('a regularization term', 'regularization');
  if (opts.dumpDir) no('--dump-dir', 'network.model');
  if (opts.plant?.params || opts.plant?.failAtStep !== undefined) no('planting parameters or engine failures', 'network.model');
}

function lossFunction(config: Config): (y: tf.Tensor, p: tf.Tensor) => tf.Scalar {
  // tf.losses' mean reduction: mean((target − v)²) over the batch, as the critic engine's loss; huber as TF1's huber_loss.
  if (config.loss === 'smooth_l1') return (y, p) => smoothL1Loss(y as tf.Tensor2D, p as tf.Tensor2D, config.smoothL1Beta ?? 1).loss;
  return config.loss === 'huber'
    ? (y, p) => tf.losses.huberLoss(y, p, undefined, config.huberDelta) as tf.Scalar
    : (y, p) => tf.losses.meanSquaredError(y, p) as tf.Scalar;
}

/** The model's inputs in its own order, each the state or the action. */
function inputOrder(model: tf.LayersModel, config: Config): ('state' | 'action')[] {
  const names = model.inputs.map((t) => t.name.replace(/\/.*$/, '').replace(/:\d+$/, ''));
  const inputLayers = model.inputLayers.map((l) => l.name);
  return inputLayers.map((n, i) =>
    n === config.network.inputs?.action || names[i] === config.network.inputs?.action ? 'action' : 'state',
  );
}

function inputTensors(order: readonly ('state' | 'action')[], b: Batch, next: boolean): tf.Tensor[] {
  return order.map((role) =>
    role === 'state'
      ? tf.tensor2d(next ? b.nextStates! : b.states, [b.size, b.dim])
      : tf.tensor2d(next ? b.nextActions! : b.actions!, [b.size, b.actionDim!]),
  );
}

/** `partial + discount · Q(next)` with the model before this step's update (no gradient), [B, 1]. */
function targetOf(model: tf.LayersModel, order: readonly ('state' | 'action')[], b: Batch): tf.Tensor {
  return tf.tidy(() => {
    const partial = tf.tensor2d(b.partial, [b.size, 1]);
    if (!b.nextStates) return partial;
    const next = inputTensors(order, b, true);
    const v = model.predict(next) as tf.Tensor;
    return tf.add(partial, tf.mul(tf.tensor2d(b.discount, [b.size, 1]), v));
  });
}

/** A replica's weights: each value one float32 ulp up or down (model/ulp-nudge.ts), as the critic engine's replicas. */
function nudgeWeights(model: tf.LayersModel, seed: number, replica: number): void {
  const weights = model.trainableWeights;
  const values = nudgeByUlp(
    weights.map((w) => w.read().dataSync() as Float32Array),
    seed,
    replica,
  );
  weights.forEach((w, i) => {
    const t = tf.tensor(values[i]!, w.shape as number[]);
    w.write(t);
    t.dispose();
  });
}

/** The file's optimizer state keyed by the rebuilt model's variable names. */
function startingSlots(
  model: tf.LayersModel,
  keras: NonNullable<Awaited<ReturnType<typeof readKerasModel>>>,
  config: Config,
): StartingSlots | undefined {
  const params: { name: string; shape: number[]; variable: string }[] = [];
  for (const layer of model.layers)
    for (const w of layer.trainableWeights) {
      const short = w.originalName.slice(w.originalName.lastIndexOf('/') + 1);
      params.push({ name: `${layer.name}/${short}`, shape: w.shape as number[], variable: (w.read() as tf.Variable).name });
    }
  const state = kerasOptimizerState(keras, kerasSettings(keras, { optimizer: true, loss: false }), params, config.optimizer);
  if (!state) return undefined;
  const values = new Map(params.map((p) => [p.variable, state.slots.get(p.name)!]));
  return { iteration: state.iteration, values };
}
