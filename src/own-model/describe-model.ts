import { tf } from '../util/tfjs.js';
import { ConfigSchema, type Config, type WatchConfig } from '../config/schema.js';
import { fromTfjsActivation } from '../model/activation-names.js';
import { leafLayers } from './model-taps.js';

/** The last dimension of a shape (1 where unknown). */
function width(shape: readonly (number | null)[] | undefined): number {
  const d = shape?.[shape.length - 1];
  return typeof d === 'number' && d > 0 ? d : 1;
}

/** What a layer's graph node says of the layers it takes its inputs from (tfjs's inboundNodes). */
interface NodeLike {
  inboundLayers?: tf.layers.Layer[];
}

/**
 * The model's own graph in one line, inputs with their widths, merges with their operands:
 * `obs 5 → obs_enc 16 elu; (obs_enc, act 2) → cat 18 → joint 16 relu → q 1`. A chain continues
 * while each layer takes the one before it; a merge or a branch starts a new segment that names
 * its operands. A Sequential's implicit input is `input`.
 */
export function describeGraph(model: tf.LayersModel): string {
  const sequential = model.getClassName() === 'Sequential';
  const label = (l: tf.layers.Layer) => {
    const cfg = l.getConfig() as { units?: unknown; activation?: unknown };
    const units = typeof cfg.units === 'number' ? cfg.units : width(l.outputShape as (number | null)[]);
    const act = fromTfjsActivation(typeof cfg.activation === 'string' ? cfg.activation : null);
    return `${l.name} ${units}${act && act !== 'linear' ? ` ${act}` : ''}`;
  };
  const operand = (l: tf.layers.Layer) =>
    l.getClassName() === 'InputLayer' ? `${sequential ? 'input' : l.name} ${width(l.outputShape as (number | null)[])}` : l.name;
  const segments: string[] = [];
  let current = '';
  let prev: string | null = null;
  for (const l of leafLayers(model)) {
    const inbound = ((l.inboundNodes as unknown as NodeLike[])[0]?.inboundLayers ?? []).filter((x) => x);
    if (inbound.length === 1 && inbound[0]!.name === prev) current += ` → ${label(l)}`;
    else {
      if (current) segments.push(current);
      const ops = inbound.map(operand);
      current = `${ops.length === 1 ? ops[0] : `(${ops.join(', ')})`} → ${label(l)}`;
    }
    prev = l.name;
  }
  if (current) segments.push(current);
  return segments.join('; ');
}

/** tfjs optimizers in critic-doctor's optimizer vocabulary, with a line that says what it really is. */
export function describeOptimizer(opt: tf.Optimizer | undefined): { config: Config['optimizer']; text: string } {
  const o = (opt ?? {}) as Record<string, unknown>;
  const num = (k: string, d: number) => (typeof o[k] === 'number' ? (o[k] as number) : d);
  const lr = num('learningRate', 1e-3);
  const name = opt?.getClassName() ?? 'none';
  switch (name) {
    case 'SGD':
      return { config: { type: 'sgd', lr, momentum: 0 }, text: `tfjs SGD lr ${lr}` };
    case 'Momentum':
      return { config: { type: 'sgd', lr, momentum: num('momentum', 0) }, text: `tfjs Momentum lr ${lr} μ ${num('momentum', 0)}` };
    case 'RMSProp': {
      const config = {
        type: 'rmsprop' as const,
        lr,
        decay: num('decay', 0.9),
        momentum: num('momentum', 0),
        epsilon: num('epsilon', 1e-7),
        rmsInit: 0,
      };
      return {
        config: { ...config, epsilonPlacement: 'inside' },
        text: `tfjs RMSProp lr ${lr} decay ${config.decay} ε ${config.epsilon} (inside sqrt) rms₀ 0`,
      };
    }
    case 'Adam':
      return {
        config: { type: 'adam', lr, beta1: num('beta1', 0.9), beta2: num('beta2', 0.999), epsilon: num('epsilon', 1e-7) },
        text: `tfjs Adam lr ${lr}`,
      };
    default:
      return { config: { type: 'sgd', lr, momentum: 0 }, text: `tfjs ${name} lr ${lr}` };
  }
}

/**
 * A user's model in critic-doctor's config vocabulary, so the run reports (which describe a config)
 * can show it: one layer per leaf layer with its name, width and activation (as ours, `linear`
 * where we have no name for it), plain dense (no weight norm), and the watch settings in force.
 */
export function describeModel(model: tf.LayersModel, watch: WatchConfig, steps: number, name?: string): Config {
  const layers = leafLayers(model).map((l) => {
    const cfg = l.getConfig() as { units?: unknown; activation?: unknown };
    const units = typeof cfg.units === 'number' ? cfg.units : width(l.outputShape as (number | null)[]);
    return {
      name: l.name,
      units,
      activation: fromTfjsActivation(typeof cfg.activation === 'string' ? cfg.activation : null) ?? 'linear',
      weightNorm: false,
    };
  });
  return ConfigSchema.parse({
    name: name ?? model.name,
    steps: Math.max(1, steps),
    batchSize: 1,
    network: { inputDim: width(model.inputs[0]?.shape), layers },
    optimizer: describeOptimizer(model.optimizer).config,
    clip: { mode: 'none' },
    data: { source: 'recorded', path: '(the data passed to model.fit)' },
    watch,
  });
}
