import type { Dataset, Group, File as H5File } from 'h5wasm/node';
import { h5 } from '../util/h5wasm.js';
import { openHdf5 } from '../data/recorded/hdf5.js';
import { guardReader, layersOf, modelError, toFloat32, trainingOf, type KerasModel, type KerasTensor } from './keras-model.js';
import { ByteBudget, shapeBytes } from './model-budget.js';

// A Keras model saved in the legacy HDF5 format (`model.save('critic.h5')`: Keras 2.x, and Keras
// 3's legacy writer), read as keras/src/legacy/saving/legacy_h5_format.py writes it: root
// attributes `model_config` and `training_config` (JSON), `keras_version`; `model_weights` with
// `layer_names` and, per layer, a group whose `weight_names` name datasets under it (tf.keras 2:
// `dense/kernel:0`; Keras 3: `…/dense/kernel`); `optimizer_weights` the same way. Name lists may be
// split over name0, name1, … (HDF5's 64 KB attribute limit).

type Attrs = Record<string, { value: unknown }>;

/** An attribute that may be split into name0, name1, … (HDF5's 64 KB header limit). */
function splitAttr(attrs: Attrs, name: string): string[] {
  const one = attrs[name]?.value;
  // An empty Python list lands as an empty float64 array (a parameterless layer's weight_names in Keras 3's writer).
  const list = (v: unknown): string[] =>
    Array.isArray(v) ? v.map(String) : ArrayBuffer.isView(v) ? Array.from(v as Float64Array, String) : v == null ? [] : [String(v)];
  if (one !== undefined) return list(one);
  const out: string[] = [];
  for (let i = 0; attrs[`${name}${i}`]; i++) out.push(...list(attrs[`${name}${i}`]!.value));
  return out;
}

/** The datasets a group's `weight_names` names, in that order. */
function namedWeights(g: Group, where: string, file: string, budget: ByteBudget): KerasTensor[] {
  return splitAttr(g.attrs as Attrs, 'weight_names').map((n) => {
    const d = g.get(n);
    if (!(d instanceof h5().Dataset)) return modelError(file, `${where}: weight ${n} is named but not stored`);
    // The shape is what the file declares; a chunked dataset never written claims any size in a few bytes.
    budget.take(`${where}: weight ${n} of shape [${d.shape}]`, shapeBytes(d.shape, elementBytes(d)));
    return { name: n, values: toFloat32(d.value), shape: (d.shape ?? []) as number[] };
  });
}

/** Keras .h5 file: see below; whatever it throws ends as one ConfigError (guardReader). */
export function readKerasH5(file: string): Promise<KerasModel> {
  return guardReader(file, 'Keras .h5 file', 'network.model', () => readKerasH5Unguarded(file));
}

/** Bytes per element of a dataset (h5wasm's metadata), 8 where it does not say. */
export function elementBytes(d: Dataset): number {
  const size = (d.metadata as { size?: unknown } | undefined)?.size;
  return typeof size === 'number' && size > 0 ? size : 8;
}

function json(file: string, attrs: Attrs, key: string): unknown {
  const v = attrs[key]?.value;
  if (v === undefined) return undefined;
  try {
    return JSON.parse(String(v));
  } catch {
    return modelError(file, `its ${key} attribute is not JSON`);
  }
}

async function readKerasH5Unguarded(file: string): Promise<KerasModel> {
  let f: H5File;
  try {
    f = await openHdf5(file);
  } catch (e) {
    return modelError(file, (e as Error).message);
  }
  try {
    const attrs = f.attrs as Attrs;
    if (!attrs.model_config) {
      // tf.keras 2's save_weights writes layer_names at the root; Keras 3's (.weights.h5) a layers/<name>/vars tree.
      if (attrs.layer_names || attrs.layer_names0 || f.get('layers') instanceof h5().Group)
        modelError(
          file,
          'the file holds weights only (Keras save_weights): save the whole model with model.save("critic.h5") or "critic.keras"',
        );
      modelError(file, 'not a Keras model file: no model_config attribute at the root');
    }
    const { modelClass, layers } = layersOf(file, json(file, attrs, 'model_config'));
    const root = f.get('model_weights');
    if (!(root instanceof h5().Group)) return modelError(file, 'no model_weights group: the model was saved without its weights');
    const weights = new Map<string, KerasTensor[]>();
    const budget = new ByteBudget(file);
    const names = splitAttr(root.attrs as Attrs, 'layer_names');
    for (const name of names.length ? names : layers.map((l) => l.name)) {
      const g = root.get(name);
      if (!(g instanceof h5().Group)) continue;
      const w = namedWeights(g, `layer ${name}`, file, budget);
      if (w.length) weights.set(name, w);
    }
    const opt = f.get('optimizer_weights');
    return {
      file,
      format: 'h5',
      kerasVersion: String(attrs.keras_version?.value ?? ''),
      modelClass,
      layers,
      weights,
      training: trainingOf(json(file, attrs, 'training_config')),
      optimizerVars: opt instanceof h5().Group ? namedWeights(opt, 'optimizer_weights', file, budget) : [],
    };
  } finally {
    f.close();
  }
}
