import { readFileSync } from 'node:fs';
import path from 'node:path';
import { tf } from '../util/tfjs.js';
import { ConfigError } from '../config/errors.js';
import { ACTIVATIONS, type Config, type OptimizerConfig } from '../config/schema.js';
import { readStateDict } from './state-dict.js';
import { headLayerName } from './head-names.js';
import { stateDictCritics } from './state-dict-critic.js';
import { readTfCheckpoint } from './tf-checkpoint.js';
import { checkpointParams, checkpointSlots } from './checkpoint-critic.js';
import { fromTfjsActivation } from './activations.js';
import { describeSniffed, printable, sniffFile, type Sniffed } from '../data/recorded/sniff.js';
import { readKerasH5 } from './keras-h5.js';
import { readKerasZip } from './keras-zip.js';
import { readOnnx } from './onnx-model.js';
import { kerasDenseChain } from './keras-chain.js';
import { modelError, type KerasModel } from './keras-model.js';
import { wrongKey } from './model-format.js';
import { statKey } from './file-cache.js';
import type { SavedCritic, SavedDense } from './saved-critic.js';

export type { SavedCritic, SavedDense } from './saved-critic.js';

/**
 * tfjs's file IO for Node without tfjs-node: model.json and the weight files its manifest names,
 * read from disk and handed to `tf.loadLayersModel`, which does all the parsing of the topology
 * and the weights (the same artifacts `model.save('file://…')` and `tensorflowjs_converter` write).
 */
export function fileHandler(file: string): tf.io.IOHandler {
  const fail = (message: string, where = file): never => {
    throw new ConfigError(message, { file: where, path: 'network.model' });
  };
  return {
    load: async () => {
      let text = '';
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        fail(`cannot read the saved model: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
      }
      let json: {
        modelTopology?: unknown;
        weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
        format?: string;
      };
      try {
        json = JSON.parse(text);
      } catch (e) {
        // A file of another kind (or a damaged one) is named by what its bytes look like, never printed.
        const kind = sniffed(file);
        if (kind && kind !== 'text') return fail(`not a tfjs model.json: ${describeSniffed(kind)}`);
        return fail(`not a tfjs model.json: ${printable((e as Error).message.replace(/ in JSON at position \d+.*$/, ''))}`);
      }
      if (!json || typeof json !== 'object' || !json.modelTopology) return fail('not a tfjs LayersModel model.json (no modelTopology)');
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Uint8Array[] = [];
      for (const group of json.weightsManifest ?? []) {
        for (const p of group.paths) {
          const f = path.resolve(path.dirname(file), p);
          try {
            buffers.push(readFileSync(f));
          } catch {
            fail(`the weights file ${p} that model.json names is missing`, f);
          }
        }
        specs.push(...group.weights);
      }
      const total = buffers.reduce((s, b) => s + b.byteLength, 0);
      const weightData = new Uint8Array(total);
      let o = 0;
      for (const b of buffers) {
        weightData.set(b, o);
        o += b.byteLength;
      }
      return {
        modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
        weightSpecs: specs,
        weightData: weightData.buffer,
        format: json.format,
      };
    },
  };
}

/**
 * Loads a saved tfjs LayersModel (model.json + weights) through `tf.loadLayersModel` and reads it
 * as a critic: Dense layers only (an InputLayer is allowed), a bias on each, activations
 * critic-doctor has, one output unit. Anything else is a ConfigError naming the file and the layer.
 */
export async function readSavedCritic(file: string, action?: string): Promise<SavedCritic> {
  // `run` reads a saved model twice (its layers when the config loads, its weights when training
  // starts): the second read is the first's, while model.json is unchanged.
  const key = `${statKey(file)}\0${action ?? ''}`;
  const hit = read.get(key);
  if (hit) return hit;
  const critic = await loadSavedCritic(file, action);
  read.set(key, critic);
  return critic;
}

const read = new Map<string, SavedCritic>();

/** What the file's first bytes say it is; unreadable files go the tfjs way, which says why. */
function sniffed(file: string): Sniffed | null {
  try {
    return sniffFile(file);
  } catch {
    return null;
  }
}

/**
 * The Keras model a file holds, recognised by content, not extension: an HDF5 file is a model
 * saved as .h5, a zip one saved as .keras; null for anything else (a tfjs model.json). Read once
 * per file while it is unchanged (the config, the weights and the optimizer state all come from it).
 */
export async function readKerasModel(file: string): Promise<KerasModel | null> {
  // A weights file (safetensors, a checkpoint, a state_dict) under network.model: say where it goes.
  const wrong = wrongKey(file, 'network.model');
  if (wrong) modelError(file, wrong);
  const kind = file.toLowerCase().endsWith('.onnx') ? 'onnx' : sniffed(file);
  if (kind !== 'hdf5' && kind !== 'zip' && kind !== 'onnx') return null;
  const key = statKey(file);
  let hit = keras.get(key);
  if (!hit) {
    hit = kind === 'hdf5' ? readKerasH5(file) : kind === 'zip' ? readKerasZip(file) : Promise.resolve().then(() => readOnnx(file));
    keras.set(key, hit);
    hit.catch(() => keras.delete(key));
  }
  return hit;
}

const keras = new Map<string, Promise<KerasModel>>();

async function loadSavedCritic(file: string, action?: string): Promise<SavedCritic> {
  const k = await readKerasModel(file);
  if (k) return kerasDenseChain(k, action);
  tf.env().set('PROD', true);
  await tf.ready();
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(fileHandler(file));
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const msg = (e as Error).message.split('\n')[0]!;
    const unknown = /Unknown layer: ([A-Za-z0-9_.-]*[A-Za-z0-9_])/.exec(msg);
    throw new ConfigError(
      unknown
        ? `layer type ${unknown[1]} is not a tfjs layer (unknown to tf.loadLayersModel)`
        : `tf.loadLayersModel could not load it: ${msg}`,
      { file, path: 'network.model' },
    );
  }
  try {
    const fail = (layer: string, why: string): never => {
      throw new ConfigError(`layer ${layer}: ${why}`, { file, path: 'network.model' });
    };
    const layers: SavedDense[] = [];
    for (const l of model.layers) {
      const cls = l.getClassName();
      if (cls === 'InputLayer') continue;
      if (cls !== 'Dense') fail(l.name, `${cls} is not supported; critic-doctor builds a critic from Dense layers`);
      const cfg = l.getConfig() as { units: number; activation: string; useBias: boolean };
      if (!cfg.useBias) fail(l.name, 'use_bias: false is not supported (every critic layer has a bias)');
      const activation = fromTfjsActivation(cfg.activation);
      if (!activation) fail(l.name, `activation ${cfg.activation} is not one critic-doctor has (${ACTIVATIONS.join(', ')})`);
      const [k, b] = l.getWeights();
      layers.push({
        name: l.name,
        units: cfg.units,
        activation: activation!,
        kernel: { values: k!.dataSync().slice() as Float32Array, shape: k!.shape as [number, number] },
        bias: { values: b!.dataSync().slice() as Float32Array, shape: b!.shape as [number] },
      });
    }
    if (layers.length === 0) throw new ConfigError('the saved model has no Dense layer', { file, path: 'network.model' });
    const last = layers[layers.length - 1]!;
    if (last.units !== 1) fail(last.name, `the last layer is the critic's value v(s): expected 1 unit, got ${last.units}`);
    return { inputDim: layers[0]!.kernel.shape[0], layers };
  } finally {
    model.dispose();
  }
}

/**
 * The critic's initial parameters with each plain dense layer's W and b taken from the saved
 * model (by layer name); parameters the model does not have (a remedy's batch-norm scale, say)
 * keep `params`' values. Replaced tensors are disposed.
 */
export async function withSavedWeights(file: string, names: readonly string[], params: tf.Tensor[], action?: string): Promise<tf.Tensor[]> {
  return applySaved(await readSavedCritic(file, action), names, params);
}

/** The same from a PyTorch state_dict file mapped onto the config's layers (state-dict-critic.ts). */
export function withStateDict(file: string, network: Config['network'], names: readonly string[], params: tf.Tensor[]): tf.Tensor[] {
  return applySaved(stateDictCritics(readStateDict(file), network, file), names, params);
}

/**
 * The target networks' starting weights where the state_dict holds them beside the critics: SB3's
 * `critic_target.qf0.0.weight` for `critic.qf0.0`, in the parameters' order; null where any is missing.
 */
export function stateDictTargets(
  file: string,
  network: Config['network'],
  names: readonly string[],
  like: tf.Tensor[],
): tf.Tensor[] | null {
  const entries = readStateDict(file);
  if (!network.layers.every((l) => l.name.startsWith('critic.'))) return null;
  const renamed = { ...network, layers: network.layers.map((l) => ({ ...l, name: l.name.replace(/^critic\./, 'critic_target.') })) };
  if (!renamed.layers.every((l) => entries.some((e) => e.name === `${headLayerName(l.name, 0, network.critics)}.weight`))) return null;
  const saved = stateDictCritics(entries, renamed, file);
  const copies = like.map((p) => tf.clone(p));
  const back = new Map(saved.layers.map((l) => [l.name.replace(/^critic_target\./, 'critic.'), l]));
  return applySaved({ inputDim: saved.inputDim, layers: [...back].map(([name, l]) => ({ ...l, name })) }, names, copies);
}

function applySaved(saved: SavedCritic, names: readonly string[], params: tf.Tensor[]): tf.Tensor[] {
  const byName = new Map<string, { values: Float32Array; shape: readonly number[] }>();
  for (const l of saved.layers) {
    byName.set(`${l.name}/W`, l.kernel);
    byName.set(`${l.name}/b`, l.bias);
  }
  return replaceParams(byName, names, params);
}

/** `params` with each one `byName` holds in its shape in its place (by name); replaced tensors are disposed. */
function replaceParams(
  byName: ReadonlyMap<string, { values: Float32Array; shape: readonly number[] }>,
  names: readonly string[],
  params: tf.Tensor[],
): tf.Tensor[] {
  return params.map((p, i) => {
    const w = byName.get(names[i]!);
    if (!w || w.shape.join(',') !== p.shape.join(',')) return p;
    p.dispose();
    return tf.tensor(w.values, [...w.shape]);
  });
}

/**
 * The critic's initial parameters from a TensorFlow checkpoint (model/checkpoint-critic.ts), each
 * by its name (`l3/V`); parameters the checkpoint does not have keep `params`' values.
 */
export function withCheckpoint(prefix: string, network: Config['network'], names: readonly string[], params: tf.Tensor[]): tf.Tensor[] {
  return replaceParams(checkpointParams(readTfCheckpoint(prefix), network, `${prefix}.index`).params, names, params);
}

/**
 * The optimizer state a TensorFlow checkpoint holds for the config's optimizer (its slots by
 * variable, the step it reached), as `withSavedOptimizerState` gives a Keras file's; null without.
 */
export function withCheckpointOptimizerState(
  prefix: string,
  network: Config['network'],
  names: readonly string[],
  slotNames: readonly string[],
  optimizer: OptimizerConfig,
  slots: tf.Tensor[][],
): { slots: tf.Tensor[][]; iteration: number } | null {
  const tensors = readTfCheckpoint(prefix);
  const state = checkpointSlots(tensors, checkpointParams(tensors, network, `${prefix}.index`), optimizer, network.scope);
  if (!state) return null;
  return { slots: replaceSlots(slots, state.slots, names, slotNames), iteration: state.iteration };
}

/**
 * The optimizer state a Keras file stores, as slots for `params` (named as `names`, slot kinds
 * `slotNames` of the `optimizer` training uses) and the iteration it had reached; null when the
 * file stores none. Slots the file does not have (RMSprop's momentum at μ = 0) keep `slots`'
 * values; replaced tensors are disposed. The file's optimizer must be of the same kind.
 */
export async function withSavedOptimizerState(
  file: string,
  names: readonly string[],
  slotNames: readonly string[],
  optimizer: OptimizerConfig,
  slots: tf.Tensor[][],
): Promise<{ slots: tf.Tensor[][]; iteration: number } | null> {
  const keras = await readKerasModel(file);
  if (!keras) return null;
  const { kerasSettings, kerasOptimizerState } = await import('./keras-training.js');
  const s = kerasSettings(keras, { optimizer: true, loss: false });
  const params = names.map((name, i) => ({ name, shape: slots[0]?.[i]?.shape ?? [] }));
  const state = kerasOptimizerState(keras, s, params, optimizer);
  if (!state) return null;
  return { slots: replaceSlots(slots, state.slots, names, slotNames), iteration: state.iteration };
}

/** `slots` with each slot a file stores in its place (by parameter name and slot kind); replaced tensors are disposed. */
function replaceSlots(
  slots: tf.Tensor[][],
  stored: Map<string, Map<string, Float32Array>>,
  names: readonly string[],
  slotNames: readonly string[],
): tf.Tensor[][] {
  return slots.map((kind, k) =>
    kind.map((t, i) => {
      const v = stored.get(names[i]!)?.get(slotNames[k]!);
      if (!v) return t;
      t.dispose();
      return tf.tensor(v, t.shape);
    }),
  );
}
