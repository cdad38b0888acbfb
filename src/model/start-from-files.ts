import { tf } from '../util/tfjs.js';
import type { Config, OptimizerConfig } from '../config/schema.js';
import { readStateDict } from './state-dict.js';
import { headLayerName } from './head-names.js';
import { stateDictCritics } from './state-dict-critic.js';
import { readTfCheckpoint } from './tf-checkpoint.js';
import { checkpointParams, checkpointSlots } from './checkpoint-critic.js';
import { readKerasModel, readSavedCritic } from './saved-model.js';
import type { SavedCritic } from './saved-critic.js';

// A run's starting state from the files it names: the critic's parameters from a saved model, a
// state_dict or a TensorFlow checkpoint, SB3's target networks, and a file's optimizer slots and
// step — each put in place of the initial tensors by parameter name (saved-model.ts reads the models).

/**
 * The critic's initial parameters with each plain dense layer's W and b taken from the saved
 * model (by layer name); parameters the model does not have (a remedy's batch-norm scale, say)
 * keep `params`' values. Replaced tensors are disposed.
 */
export async function withSavedWeights(file: string, names: readonly string[], params: tf.Tensor[], action?: string): Promise<tf.Tensor[]> {
  return applySaved(await readSavedCritic(file, action), names, params);
}

/**
 * Batch norm's moving mean and variance (`<layer>/moving_mean`, `<layer>/moving_variance`) where
 * the saved model holds them: a run starts from the statistics the file reached, as its bootstrap
 * pass (evaluation) would use them; others keep `buffers`' values.
 */
export async function withSavedBuffers(
  file: string,
  names: readonly string[],
  buffers: tf.Tensor[],
  action?: string,
): Promise<tf.Tensor[]> {
  const byName = new Map<string, { values: Float32Array; shape: readonly number[] }>();
  for (const l of (await readSavedCritic(file, action)).layers) {
    if (l.norm?.movingMean) byName.set(`${l.name}/moving_mean`, l.norm.movingMean);
    if (l.norm?.movingVariance) byName.set(`${l.name}/moving_variance`, l.norm.movingVariance);
  }
  return replaceParams(byName, names, buffers);
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
    if (l.norm) {
      byName.set(`${l.name}/gamma`, l.norm.gamma);
      byName.set(`${l.name}/beta`, l.norm.beta);
    }
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
