import type { Config } from '../config/schema.js';
import { weightsError } from './keras-model.js';
import type { SavedCritic } from './saved-critic.js';
import type { StateTensor } from './state-dict.js';
import { headLayerName } from './head-names.js';

/**
 * A state_dict's Linear layers (`<prefix>.weight` [out, in] with `<prefix>.bias` [out]) as the
 * config's layers' kernels and biases: by name where every config layer names a prefix
 * (`fc1`, `critic.0`), else in order. torch's [out, in] weight is transposed to the kernel's
 * [in, out]; a shape that does not fit says which layer.
 */
export function stateDictCritic(entries: readonly StateTensor[], network: Config['network'], file: string): SavedCritic {
  const linear: { prefix: string; weight: StateTensor; bias?: StateTensor }[] = [];
  for (const t of entries) {
    const m = /^(.*)\.(weight|bias)$/.exec(t.name);
    if (!m) continue;
    const l = linear.find((x) => x.prefix === m[1]);
    if (m[2] === 'weight' && t.shape.length === 2) {
      if (!l) linear.push({ prefix: m[1]!, weight: t });
      else l.weight = t;
    } else if (m[2] === 'bias' && l) l.bias = t;
  }
  const layers = network.layers;
  const byName = layers.every((l) => linear.some((x) => x.prefix === l.name));
  if (!byName && linear.length !== layers.length)
    weightsError(
      file,
      `the state_dict has ${linear.length} Linear layers (${linear.map((x) => x.prefix).join(', ')}), network.layers ${layers.length}: ` +
        'name the layers as the module does, or list one per Linear layer in order',
    );
  // A Q(s, a) critic (network.actionDim): its first layer takes cat([state, action], 1), as SAC's does.
  let inputs = network.inputDim + (network.actionDim ?? 0);
  const out = layers.map((layer, i) => {
    const l = byName ? linear.find((x) => x.prefix === layer.name)! : linear[i]!;
    const [rows, cols] = l.weight.shape as [number, number];
    if (rows !== layer.units || cols !== inputs)
      weightsError(
        file,
        `${l.prefix}.weight is [${rows}, ${cols}] (torch's [out, in]); layer ${layer.name} takes ${inputs} inputs to ${layer.units} units`,
      );
    const kernel = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) kernel[c * rows + r] = l.weight.values[r * cols + c]!;
    inputs = layer.units;
    return {
      name: layer.name,
      units: layer.units,
      activation: layer.activation,
      kernel: { values: kernel, shape: [cols, rows] as [number, number] },
      bias: { values: l.bias?.values ?? new Float32Array(rows), shape: [rows] as [number] },
    };
  });
  return { inputDim: network.inputDim, layers: out };
}

/** Every critic of `network.critics` from a state_dict, each head's layers by its own names (`critic.qf1.0`). */
export function stateDictCritics(entries: readonly StateTensor[], network: Config['network'], file: string): SavedCritic {
  const heads = Array.from({ length: network.critics }, (_, h) =>
    stateDictCritic(
      entries,
      { ...network, layers: network.layers.map((l) => ({ ...l, name: headLayerName(l.name, h, network.critics) })) },
      file,
    ),
  );
  return { inputDim: network.inputDim, layers: heads.flatMap((c) => c.layers) };
}
