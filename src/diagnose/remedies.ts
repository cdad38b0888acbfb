import type { Config, LayerConfig } from '../config/schema.js';
import { isReluLike } from '../model/activation-names.js';
import type { Cause } from '../watch/cause.js';

/** A named, documented one-change transform of a config: what `treat` tries. */
export interface Remedy {
  name: string;
  /** What it changes, in a sentence. */
  description: string;
  /** Causes it addresses (matched against the diagnosis to order the table). */
  addresses: Cause[];
  /** Whether it changes anything for this config. */
  applies(c: Config): boolean;
  transform(c: Config): Config;
  /** It rescales the targets, so its loss cannot be compared with the baseline's or the reference's. */
  rescalesTargets?: boolean;
}

function mapLayers(c: Config, f: (l: LayerConfig) => LayerConfig): Config {
  return { ...c, network: { ...c.network, layers: c.network.layers.map(f) } };
}
const hasReluLike = (c: Config) => c.network.layers.some((l) => isReluLike(l.activation));
const bootstraps = (c: Config) =>
  (c.data.source === 'synthetic' && c.data.targets === 'bootstrap') || (c.data.source === 'recorded' && c.data.targets === 'nStep');

/**
 * A remedy that changes how parameters start must not start from saved ones: the variant drops
 * `network.model`'s weights, a state_dict's (`network.weights`) and `network.initFrom` (the layers
 * stay as resolved: plain dense where the file's were).
 */
function reinitialised(c: Config): Config {
  const { model: _model, initFrom: _initFrom, weights: _weights, ...network } = c.network;
  return { ...c, network };
}

function init(name: string, scale: number, description: string): Remedy {
  return {
    name,
    description,
    addresses: ['init'],
    applies: hasReluLike,
    transform: (c) =>
      mapLayers(reinitialised(c), (l) =>
        isReluLike(l.activation) ? { ...l, init: { variance_scaling: { scale, mode: 'fan_in', distribution: 'truncated_normal' } } } : l,
      ),
  };
}

function layerValue(name: string, key: 'bInit' | 'gInit', value: number, description: string): Remedy {
  return {
    name,
    description,
    addresses: ['init', 'scale'],
    applies: (c) => c.network.layers.some((l) => l[key] !== value),
    transform: (c) => mapLayers(reinitialised(c), (l) => ({ ...l, [key]: value })),
  };
}

function lr(name: string, factor: number): Remedy {
  return {
    name,
    description: `learning rate ÷${factor}`,
    addresses: ['optimizer'],
    applies: () => true,
    transform: (c) => ({ ...c, optimizer: { ...c.optimizer, lr: c.optimizer.lr / factor } }),
  };
}

function normalise(kind: 'batch' | 'layer'): Remedy {
  return {
    name: `${kind}-norm`,
    description:
      `${kind} normalisation before each nonlinearity ` +
      `(${kind === 'batch' ? 'batch statistics in training, moving averages for the bootstrap pass' : 'per row'})`,
    addresses: ['scale', 'init'],
    applies: (c) => c.network.layers.some((l) => l.activation !== 'linear' && l.norm === 'none'),
    transform: (c) => mapLayers(c, (l) => (l.activation !== 'linear' ? { ...l, norm: kind } : l)),
  };
}

/** The catalogue: each a named one-change transform of the config. */
export const REMEDIES: Remedy[] = [
  init('he-init', 2, 'He init on relu-like layers: variance scaling 2.0, fan_in, truncated normal'),
  init('tf1-variance-scaling', 1, "TF1's tf.variance_scaling_initializer() as the seed answer wrote it: scale 1.0, fan_in (LeCun, not He)"),
  layerValue('bias-0', 'bInit', 0, 'bInit 0 on every layer (the seed uses 0.1)'),
  layerValue('bias-0.01', 'bInit', 0.01, 'bInit 0.01 on every layer'),
  layerValue('g-0.5', 'gInit', 0.5, 'gInit 0.5 on every layer (the seed uses 1.0)'),
  layerValue('g-0.1', 'gInit', 0.1, 'gInit 0.1 on every layer'),
  lr('lr-div3', 3),
  lr('lr-div10', 10),
  {
    name: 'global-clip',
    description: 'clip_by_global_norm(5) instead of per-tensor clip_by_norm (or no clipping)',
    addresses: ['optimizer'],
    applies: (c) => c.clip.mode !== 'global',
    transform: (c) => ({ ...c, clip: { mode: 'global', norm: c.clip.norm } }),
  },
  {
    name: 'rmsprop-epsilon',
    description: 'RMSProp epsilon 1e-3 (from 1e-6)',
    addresses: ['optimizer'],
    applies: (c) => c.optimizer.type === 'rmsprop' && c.optimizer.epsilon < 1e-3,
    transform: (c) => (c.optimizer.type === 'rmsprop' ? { ...c, optimizer: { ...c.optimizer, epsilon: 1e-3 } } : c),
  },
  {
    name: 'adam',
    description: "Adam (β1 0.9, β2 0.999, ε 1e-8) at the same learning rate (torch.optim.Adam's for a PyTorch critic)",
    addresses: ['optimizer'],
    applies: (c) => c.optimizer.type !== 'adam',
    transform: (c) => ({
      ...c,
      optimizer: {
        type: 'adam',
        lr: c.optimizer.lr,
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-8,
        // The Adam a PyTorch user would switch to: ε on the bias-corrected √v̂ (the torch-adam preset).
        ...(fromPyTorch(c) ? { biasCorrectedEpsilon: true } : {}),
      },
    }),
  },
  {
    name: 'normalize-states',
    description: 'fixed state normalisation (mean/std of the rollout)',
    addresses: ['scale', 'data'],
    applies: (c) => c.data.normalizeStates === 'none',
    transform: (c) => ({ ...c, data: { ...c.data, normalizeStates: 'fixed' } }),
  },
  {
    name: 'reward-scale-0.1',
    description: 'rewards ×0.1',
    rescalesTargets: true,
    addresses: ['scale', 'targets'],
    applies: () => true,
    transform: (c) => ({ ...c, data: { ...c.data, rewardScale: c.data.rewardScale * 0.1 } }),
  },
  {
    name: 'return-normalization',
    description: 'per-minibatch return normalisation (R − mean)/(std + 1e-8)',
    rescalesTargets: true,
    addresses: ['scale', 'targets', 'data'],
    applies: (c) => !c.data.returnNormalization || c.data.returnNormalization.epsilon === 0,
    transform: (c) => ({ ...c, data: { ...c.data, returnNormalization: { epsilon: 1e-8 } } }),
  },
  {
    name: 'gamma-0.99',
    description: 'discount γ 0.99 instead of γ ≥ 1 for bootstrapped targets',
    addresses: ['targets'],
    applies: (c) => bootstraps(c) && c.data.gamma >= 1,
    transform: (c) => ({ ...c, data: { ...c.data, gamma: 0.99 } }),
  },
  {
    name: 'leaky-relu',
    description: 'leaky_relu (slope 0.2) in place of relu',
    addresses: ['activation'],
    applies: (c) => c.network.layers.some((l) => l.activation === 'relu'),
    transform: (c) => mapLayers(c, (l) => (l.activation === 'relu' ? { ...l, activation: 'leaky_relu', alpha: 0.2 } : l)),
  },
  normalise('batch'),
  normalise('layer'),
  {
    name: 'huber',
    description: 'Huber loss (δ = 1) instead of the MSE: a bounded gradient for large errors',
    addresses: ['targets', 'optimizer'],
    applies: (c) => c.loss !== 'huber',
    transform: (c) => ({ ...c, loss: 'huber', huberDelta: 1 }),
  },
  {
    name: 'target-network',
    description: 'bootstrap from a frozen copy of the critic refreshed every 100 steps (stop-gradient target network)',
    addresses: ['targets'],
    applies: (c) => bootstraps(c) && !c.data.targetNetwork,
    transform: (c) => ({ ...c, data: { ...c.data, targetNetwork: { updateEvery: 100 } } }),
  },
  {
    name: 'l1-in-loss',
    description: 'the configured L1/L2 penalty actually added to the loss',
    addresses: ['regularizer'],
    applies: (c) => (c.regularization.l1 > 0 || c.regularization.l2 > 0) && !c.regularization.addToLoss,
    transform: (c) => ({ ...c, regularization: { ...c.regularization, addToLoss: true } }),
  },
];

/** The remedies the seed answer proposed, named in the verdict. */
export const SEED_ANSWER = ['he-init', 'tf1-variance-scaling', 'bias-0', 'bias-0.01', 'g-0.5', 'g-0.1', 'batch-norm'];

/** Joins remedies into one that applies them in order ("he-init+lr-div10"); each must apply after the ones before. */
export function combineRemedies(parts: readonly Remedy[]): Remedy {
  if (parts.length === 1) return parts[0]!;
  return {
    name: parts.map((r) => r.name).join(COMBINED),
    description: parts.map((r) => r.description).join('; and '),
    addresses: parts.flatMap((r) => r.addresses),
    applies: (c) => parts.every((r, i) => r.applies(parts.slice(0, i).reduce((x, p) => p.transform(x), c))),
    transform: (c) => parts.reduce((x, r) => r.transform(x), c),
    rescalesTargets: parts.some((r) => r.rescalesTargets === true),
  };
}

/** How a combined remedy's name joins its parts. */
const COMBINED = '+';

/** A remedy by name, combined ones ("he-init+lr-div10") included; undefined when any part is unknown. */
/** Whether the critic comes from PyTorch (a state_dict, an ONNX export): remedies then speak torch.optim's semantics. */
export function fromPyTorch(c: Config): boolean {
  return c.network.weights !== undefined || /\.onnx$/i.test(c.network.model ?? '');
}

export function getRemedy(name: string): Remedy | undefined {
  const parts = name.split(COMBINED).map((n) => REMEDIES.find((r) => r.name === n));
  return parts.every((r) => r !== undefined) ? combineRemedies(parts as Remedy[]) : undefined;
}

/** Every remedy that applies to `config`, and with `pairs` also every applicable pair of them, singles first. */
export function applicableRemedies(config: Config, names?: readonly string[], pairs = false): Remedy[] {
  const singles = names ? names.map((n) => getRemedy(n)!) : REMEDIES.filter((r) => r.applies(config));
  if (!pairs) return singles;
  const combined = singles.flatMap((a, i) => singles.slice(i + 1).map((b) => combineRemedies([a, b])));
  return [...singles, ...combined].filter((r) => r.applies(config));
}
