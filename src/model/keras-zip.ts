import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { zipDirectoryProblem } from '../util/zip-directory.js';
import type { Dataset, Group, File as H5File } from 'h5wasm/node';
import { h5 as hdf5 } from '../util/h5wasm.js';
import { openHdf5 } from '../data/recorded/hdf5.js';
import { guardReader, layersOf, modelError, toFloat32, trainingOf, type KerasModel, type KerasTensor } from './keras-model.js';
import { ByteBudget, shapeBytes } from './model-budget.js';
import { elementBytes } from './keras-h5.js';
import { ConfigError } from '../config/errors.js';

// A Keras 3 `.keras` file, read as keras/src/saving/saving_lib.py writes it: a zip (stored or
// deflated members) of `metadata.json` (keras_version), `config.json` (the serialized model:
// class_name, config.layers, compile_config) and `model.weights.h5`, where each object's variables
// are datasets "0", "1", … of a `vars` group under its path — `layers/<class, snake case, counted>/vars`
// for a Sequential's or Functional's layers (layerGroupNames), `optimizer/vars` for the optimizer (iteration, learning
// rate, then each slot kind for every trainable variable).

/** Keras .keras file: see below; whatever it throws ends as one ConfigError (guardReader). */
export function readKerasZip(file: string): Promise<KerasModel> {
  return guardReader(file, 'Keras .keras file', 'network.model', () => readKerasZipUnguarded(file));
}

async function readKerasZipUnguarded(file: string): Promise<KerasModel> {
  let entries: Record<string, Uint8Array>;
  const budget = new ByteBudget(file);
  const data = readFileSync(file);
  const lie = zipDirectoryProblem(data);
  if (lie) modelError(file, `not a readable .keras (zip) archive: ${lie}`);
  try {
    // Each member's inflated size as the archive declares it, counted before fflate allocates it.
    entries = unzipSync(data, { filter: (m) => (budget.take(m.name, m.originalSize, 'inflates to'), true) });
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    return modelError(file, `not a readable .keras (zip) archive: ${(e as Error).message}`);
  }
  const text = (name: string): unknown => {
    const bytes = entries[name];
    if (!bytes) return undefined;
    try {
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return modelError(file, `${name} in the archive is not JSON`);
    }
  };
  if (entries['model.weights.json']) modelError(file, 'sharded weights (model.weights.json) are not supported: save the model unsharded');
  const config = text('config.json') as { compile_config?: unknown } | undefined;
  if (!config) return modelError(file, 'no config.json in the archive: not a Keras 3 .keras model');
  const weightsH5 = entries['model.weights.h5'] ?? modelError(file, 'no model.weights.h5 in the archive: the model has no weights');
  const meta = (text('metadata.json') ?? {}) as { keras_version?: string };
  const { modelClass, layers } = layersOf(file, config);
  // h5wasm opens files by path: the weights member goes to a private temporary file for the read.
  const dir = mkdtempSync(path.join(tmpdir(), 'critic-doctor-keras-'));
  let f: H5File;
  try {
    const h5 = path.join(dir, 'model.weights.h5');
    writeFileSync(h5, weightsH5);
    try {
      f = await openHdf5(h5);
    } catch (e) {
      return modelError(file, `model.weights.h5 in the archive: ${(e as Error).message}`);
    }
    try {
      const weights = new Map<string, KerasTensor[]>();
      const h5Budget = new ByteBudget(file);
      const layerGroup = f.get('layers');
      const groups = layerGroupNames(layers);
      for (const [i, l] of layers.entries()) {
        // Keras 3 names a layer's group by its class (`dense`, `dense_1`…); files by our earlier belief, by its name.
        const byClass = layerGroup instanceof hdf5().Group ? layerGroup.get(groups[i]!) : null;
        const [g, at] =
          byClass instanceof hdf5().Group
            ? [byClass, groups[i]!]
            : [layerGroup instanceof hdf5().Group ? layerGroup.get(l.name) : null, l.name];
        const w = g instanceof hdf5().Group ? vars(g, `layers/${at}`, file, h5Budget) : [];
        if (w.length) weights.set(l.name, w);
      }
      const opt = f.get('optimizer');
      return {
        file,
        format: 'keras',
        kerasVersion: String(meta.keras_version ?? ''),
        modelClass,
        layers,
        weights,
        training: trainingOf(config.compile_config),
        optimizerVars: opt instanceof hdf5().Group ? vars(opt, 'optimizer', file, h5Budget) : [],
      };
    } finally {
      f.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Each layer's group in model.weights.h5 as saving_lib's `_save_container_state` names it: not by
 * `layer.name` (not reproducible, its comment says) but by the class in snake case, with a counter
 * per class in the model's layer order — `dense`, `dense_1`, `dense_2` for Dense layers named
 * `dense_6`, `dense_7`, `dense_8`.
 */
export function layerGroupNames(layers: readonly { className: string }[]): string[] {
  const used = new Map<string, number>();
  return layers.map((l) => {
    const base = snakeCase(l.className);
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    return n === undefined ? base : `${base}_${n + 1}`;
  });
}

/** keras/src/utils/naming.py's to_snake_case. */
function snakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** The datasets "0", "1", … of a group's `vars`, in index order. */
function vars(g: Group, where: string, file: string, budget: ByteBudget): KerasTensor[] {
  const v = g.get('vars');
  if (!(v instanceof hdf5().Group)) return [];
  const out: KerasTensor[] = [];
  for (let i = 0; ; i++) {
    const d = v.get(String(i));
    if (d === null || d === undefined) break;
    if (!(d instanceof hdf5().Dataset)) modelError(file, `model.weights.h5: ${where}/vars/${i} is not a dataset`);
    const shape = ((d as Dataset).shape ?? []) as number[];
    budget.take(`model.weights.h5: ${where}/vars/${i} of shape [${shape}]`, shapeBytes(shape, elementBytes(d as Dataset)));
    out.push({ name: String(i), values: toFloat32((d as Dataset).value), shape });
  }
  return out;
}
