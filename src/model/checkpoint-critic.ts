import type { Config } from '../config/schema.js';
import { weightsError } from './keras-model.js';
import type { CheckpointTensor } from './tf-checkpoint.js';

/**
 * A TensorFlow checkpoint's variables as the config's layers: TF1 names under `network.scope`
 * (the seed's denseWN `critic/l3/V`, `critic/l3/g`, `critic/l3/b`; `tf.layers`' `h1/kernel`,
 * `h1/bias`), or TF2's object keys (`fc1/kernel/.ATTRIBUTES/VARIABLE_VALUE`). Kernels are
 * [in, out] as ours. Each parameter named as the critic names it (`l3/V`, `h1/W`, `h1/b`).
 */
export interface CheckpointParams {
  /** `<layer>/V|g|W|b` → values and shape. */
  params: Map<string, { values: Float32Array; shape: number[] }>;
  /** `<layer>/V|g|W|b` → the checkpoint's variable name, for its optimizer slots. */
  variables: Map<string, string>;
}

/** TF2 object-based checkpoints' suffix of a variable's value. */
export const TF2 = '/.ATTRIBUTES/VARIABLE_VALUE';

/** An optimizer's variable, not a layer's: a TF1 slot, TF2's OPTIMIZER_SLOT, β powers, the step, TF2's optimizer/…. */
export function isOptimizerVariable(name: string): boolean {
  return /\/(RMSProp|Adam|Momentum)(_\d+)?$|OPTIMIZER_SLOT|_power$|global_step|^optimizer\//.test(name);
}

export function checkpointParams(tensors: readonly CheckpointTensor[], network: Config['network'], file: string): CheckpointParams {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const scope = network.scope ? `${network.scope.replace(/\/+$/, '')}/` : '';
  const find = (layer: string, short: string): CheckpointTensor | undefined =>
    byName.get(`${scope}${layer}/${short}`) ?? byName.get(`${layer}/${short}${TF2}`);
  const out: CheckpointParams = { params: new Map(), variables: new Map() };
  let fanIn = network.inputDim + (network.actionDim ?? 0);
  for (const layer of network.layers) {
    const v = find(layer.name, 'V');
    const kernel = v ?? find(layer.name, 'kernel');
    const bias = find(layer.name, 'b') ?? find(layer.name, 'bias');
    if (!kernel || !bias) {
      const near = tensors
        .map((t) => t.name)
        .filter((n) => !isOptimizerVariable(n))
        .slice(0, 8);
      weightsError(
        file,
        `no variables for layer ${layer.name}${scope ? ` under scope ${scope.slice(0, -1)}` : ''} ` +
          `(looked for ${scope}${layer.name}/kernel or /V and /bias or /b; the checkpoint has ${near.join(', ')}…): ` +
          'name the layers as the checkpoint does, and give network.scope for TF1 scopes',
      );
    }
    const wn = v !== undefined;
    const g = wn ? find(layer.name, 'g') : undefined;
    if (wn && !g) weightsError(file, `layer ${layer.name}: ${v!.name} but no g beside it (a weight-normalised layer has V, g, b)`);
    const shape = kernel!.shape;
    if (shape.length !== 2 || shape[0] !== fanIn || shape[1] !== layer.units)
      weightsError(file, `${kernel!.name} is [${shape}]; layer ${layer.name} takes ${fanIn} inputs to ${layer.units} units`);
    for (const [short, t] of [[wn ? 'V' : 'W', kernel!], ...(g ? [['g', g] as const] : []), ['b', bias!]] as const) {
      if (short !== 'V' && short !== 'W' && (t.shape.length !== 1 || t.shape[0] !== layer.units))
        weightsError(file, `${t.name} is [${t.shape}]; layer ${layer.name} has ${layer.units} units`);
      if (!(t.values instanceof Float32Array)) weightsError(file, `${t.name} is ${t.dtype}, not a float tensor`);
      out.params.set(`${layer.name}/${short}`, { values: t.values as Float32Array, shape: t.shape });
      out.variables.set(`${layer.name}/${short}`, t.name);
    }
    fanIn = layer.units;
  }
  return out;
}

/**
 * The optimizer's slots for each parameter and the iteration reached, as the checkpoint holds
 * them: TF1's `<variable>/RMSProp` (ms) and `/RMSProp_1` (momentum), `/Adam` (m) and `/Adam_1`
 * (v) — also under a doubled scope, where the optimizer was built inside it — `global_step`, or
 * Adam's `beta1_power` (β1^(t+1) after t updates); TF2's `.OPTIMIZER_SLOT/optimizer/<slot>` and
 * `optimizer/iter`. Null when the checkpoint holds no slot for the config's optimizer.
 */
export function checkpointSlots(
  tensors: readonly CheckpointTensor[],
  found: CheckpointParams,
  optimizer: Config['optimizer'],
  scope: string | undefined,
): { slots: Map<string, Map<string, Float32Array>>; iteration: number } | null {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const kinds: Record<string, [string, string[]][]> = {
    rmsprop: [
      ['ms', ['RMSProp', 'rms']],
      ['mom', ['RMSProp_1', 'momentum']],
    ],
    adam: [
      ['m', ['Adam', 'm']],
      ['v', ['Adam_1', 'v']],
    ],
    sgd: [['accum', ['Momentum', 'momentum']]],
  };
  const slots = new Map<string, Map<string, Float32Array>>();
  let any = false;
  for (const [param, variable] of found.variables) {
    const own = new Map<string, Float32Array>();
    const base = variable.replace(TF2, '');
    for (const [slot, [tf1, tf2]] of kinds[optimizer.type] ?? []) {
      const t =
        byName.get(`${base}/${tf1}`) ??
        (scope ? byName.get(`${scope}/${base}/${tf1}`) : undefined) ??
        byName.get(`${base}/.OPTIMIZER_SLOT/optimizer/${tf2}${TF2}`);
      if (t && t.values instanceof Float32Array) {
        own.set(slot, t.values);
        any = true;
      }
    }
    slots.set(param, own);
  }
  if (!any) return null;
  const count = (name: string) => {
    const t = byName.get(name);
    return t && t.values.length === 1 ? Number(t.values[0]) : undefined;
  };
  let iteration = count('global_step') ?? count(`optimizer/iter${TF2}`) ?? (scope ? count(`${scope}/global_step`) : undefined);
  const power = (k: 1 | 2) => count(`beta${k}_power`) ?? (scope ? count(`${scope}/beta${k}_power`) : undefined);
  // TF1's Adam keeps β^(t+1) after t updates; β1's underflows to 0 in float32 after ~1,000 updates
  // at 0.9, β2's (0.999) only after ~100,000: the count comes from whichever still holds it.
  if (iteration === undefined && optimizer.type === 'adam') {
    const [p2, p1] = [power(2), power(1)];
    const from = (p: number | undefined, beta: number) =>
      p !== undefined && p > 0 && p < 1 ? Math.max(0, Math.round(Math.log(p) / Math.log(beta)) - 1) : undefined;
    iteration = from(p2, optimizer.beta2) ?? from(p1, optimizer.beta1);
  }
  if (iteration !== undefined && !(Number.isSafeInteger(iteration) && iteration >= 0 && iteration < 2 ** 31)) iteration = undefined;
  return { slots, iteration: iteration ?? 0 };
}
