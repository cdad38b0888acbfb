import { readFileSync } from 'node:fs';
import path from 'node:path';
import { tf } from '../util/tfjs.js';
import { ConfigError } from '../config/errors.js';
import { describeSniffed, printable, sniffFile, type Sniffed } from '../data/recorded/sniff.js';
import { readKerasFile } from './hdf5-read.js';
import { readOnnx } from './onnx-model.js';
import { kerasDenseChain } from './keras-chain.js';
import { layersOf, modelError, oneLine, type KerasModel, type KerasTensor } from './keras-model.js';
import { wrongKey } from './model-format.js';
import { statKey } from './file-cache.js';
import type { SavedCritic } from './saved-critic.js';

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
 * A saved model as a critic: a Keras, ONNX or tfjs (model.json + weights, through
 * `tf.loadLayersModel`) file read as one chain of Dense layers (keras-chain.ts: normalisation,
 * dropout, residual sums and the action's concatenation folded in), a bias on each, activations
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
    // HDF5 (a .h5, or inside a .keras) on a thread that can be ended: the library may never return on a damaged file.
    hit = kind === 'onnx' ? Promise.resolve().then(() => readOnnx(file)) : readKerasFile(file, kind);
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
    const msg = oneLine((e as Error).message);
    const unknown = /Unknown layer: ([A-Za-z0-9_.-]*[A-Za-z0-9_])/.exec(msg);
    throw new ConfigError(
      unknown
        ? `layer type ${unknown[1]} is not a tfjs layer (unknown to tf.loadLayersModel)`
        : `tf.loadLayersModel could not load it: ${msg}`,
      { file, path: 'network.model' },
    );
  }
  try {
    return kerasDenseChain(asKerasModel(file, model), action);
  } finally {
    model.dispose();
  }
}

/**
 * A loaded tfjs LayersModel as a Keras model file reads (its Keras-format config, each layer's
 * weights by name in its order), so that the one chain reader (keras-chain.ts, folding its
 * normalisation, dropout and residual blocks) makes its critic as it does a Keras file's.
 */
function asKerasModel(file: string, model: tf.LayersModel): KerasModel {
  const { modelClass, layers } = layersOf(file, model.toJSON(null, false));
  const weights = new Map<string, KerasTensor[]>();
  for (const l of model.layers) {
    const w = l.weights.map((v) => ({
      name: v.originalName,
      values: v.read().dataSync().slice() as Float32Array,
      shape: [...v.shape] as number[],
    }));
    if (w.length) weights.set(l.name, w);
  }
  return { file, format: 'tfjs', kerasVersion: '', modelClass, layers, weights, optimizerVars: [] };
}
