import { z } from 'zod';
import { Optimizer } from './optimizer-schema.js';

export { Adam, OPTIMIZER_PRESETS, Optimizer, RmsProp, Sgd } from './optimizer-schema.js';

/**
 * The config file's schema. Strict everywhere, so a typo is an error (with a "did you mean"),
 * never a silently ignored key. Defaults are the seed's (TF1 PPO critic) wherever it has one.
 * Types come from `z.infer`; nothing here knows about files.
 */

export const ACTIVATIONS = ['relu', 'elu', 'tanh', 'linear', 'leaky_relu', 'selu', 'softplus', 'sigmoid', 'gelu', 'swish', 'mish'] as const;
export const ActivationName = z.enum(ACTIVATIONS);

/**
 * TF1's initializers, and PyTorch's (model/torch-init.ts, drawn as torch draws them from
 * `torch.manual_seed(seed)`): `torch_linear` is nn.Linear's default (weight and bias), `cleanrl`
 * CleanRL's `layer_init` (orthogonal, gain √2, after the Linear's own draws; the bias is `bInit`).
 */
export const NAMED_INITS = ['xavier', 'glorot_uniform', 'glorot_normal', 'he', 'lecun', 'zeros', 'torch_linear', 'cleanrl'] as const;

export const VarianceScaling = z.strictObject({
  scale: z.number().positive().default(1),
  mode: z.enum(['fan_in', 'fan_out', 'fan_avg']).default('fan_in'),
  /** TF1's `normal` is a truncated normal, hence the default. */
  distribution: z.enum(['truncated_normal', 'untruncated_normal', 'uniform']).default('truncated_normal'),
});

/** torch.nn.init.orthogonal_ with `gain` after nn.Linear's draws (CleanRL's `layer_init(layer, std=gain)`). */
export const Orthogonal = z.strictObject({ gain: z.number().positive().default(1) });

export const Init = z.union([
  z.enum(NAMED_INITS),
  z.strictObject({ variance_scaling: VarianceScaling.prefault({}) }),
  // `orthogonal` required (no prefault): a branch that parses with only an unknown key would swallow
  // the variance_scaling branch's real error (zod reports a union's one non-aborted branch).
  z.strictObject({ orthogonal: Orthogonal }),
]);

export const Layer = z.strictObject({
  // A leading digit too: a PyTorch nn.Sequential's layers are named 0, 2, 4 in its exports.
  name: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'a layer name: letters, digits, _ . - (not starting with . or -)'),
  units: z.int().positive().max(65_536),
  activation: ActivationName.default('linear'),
  /** Negative slope of leaky_relu, or the alpha of elu. */
  alpha: z.number().optional(),
  init: Init.default('xavier'),
  gInit: z.number().default(1.0),
  bInit: z.number().default(0.1),
  weightNorm: z.boolean().default(true),
  /**
   * Normalisation before the nonlinearity: batch (batch statistics in training, moving averages —
   * momentum 0.99 — for the bootstrap pass) or layer (per row), each with a learnable scale and
   * shift (`<layer>/gamma`, `<layer>/beta`).
   */
  norm: z.enum(['none', 'batch', 'layer']).default('none'),
  /** The normalisation's ε (default 1e-3 for batch, 1e-5 for layer, torch's); filled in from a saved model's. */
  normEpsilon: z.number().positive().max(1).optional(),
  /**
   * Batch norm's moving-average momentum: m ← momentum·m + (1 − momentum)·batch statistic
   * (default 0.99, Keras's and TF's); filled in from a saved model's.
   */
  normMomentum: z.number().min(0).max(1).optional(),
  /**
   * Dropout after the nonlinearity while training (inverted: kept units scaled by 1/(1 − rate));
   * none in the bootstrap pass. Masks drawn from the run's seed, the step and the layer
   * (engine/dropout-mask.ts): reproducible, replayable. Filled in from a saved model's Dropout.
   */
  dropout: z.number().positive().max(0.95).optional(),
  /**
   * A residual connection: the output of the named earlier layer (as wide as this one) added to
   * this layer's output, after its nonlinearity and dropout — `y = act(…) + y_from`, a SimBa or
   * ResNet-style block (`x + MLP(x)`); the next layer takes the sum. Filled in from a saved
   * model's `Add`.
   */
  residual: z.string().min(1).optional(),
});

const Gamma = z.number().min(0).max(2);

// Settings both data sources share.
/** Per-minibatch return normalisation `(target − mean) / (std + epsilon)`, as many PPO implementations do. */
const ReturnNormalization = z.strictObject({ epsilon: z.number().min(0).default(1e-8) });
/** State normalisation: none, fixed (mean/std of the whole rollout) or running (updated per batch). */
const NormalizeStates = z.enum(['none', 'fixed', 'running']).default('none');
/**
 * Bootstrap from a target network: a copy of the critic made before the first step, then either
 * copied again every `updateEvery` steps (DQN's hard update) or, with `tau`, moved towards the
 * critic after every update (every `updateEvery`th with both, as TD3's policy delay): target ←
 * target·(1 − τ) + τ·θ, SB3's polyak_update (SAC, TD3, DDPG: τ = 0.005).
 */
const TargetNetwork = z
  .strictObject({ updateEvery: z.int().positive().optional(), tau: z.number().gt(0).max(1).optional() })
  .refine((t) => t.updateEvery !== undefined || t.tau !== undefined, { message: 'give updateEvery (a hard copy) or tau (Polyak)' });

export const SyntheticData = z.strictObject({
  source: z.literal('synthetic'),
  /** Transitions generated up front; minibatches are sampled from them. */
  transitions: z.int().positive().max(10_000_000).default(4096),
  episodeLength: z.int().positive().default(200),
  /** States are unnormalised, of roughly this magnitude (pixels, joint angles in degrees, ...). */
  stateScale: z.number().positive().default(1),
  /** Multiplies every reward. */
  rewardScale: z.number().default(1),
  /**
   * `bootstrap`: r_t + γ r_{t+1} + … + γⁿ v(s_{t+n}), the value taken from the critic itself at every
   * step (PPO's discounted_r). `monteCarlo`: fixed discounted returns to the end of the episode.
   */
  targets: z.enum(['bootstrap', 'monteCarlo']).default('bootstrap'),
  gamma: Gamma.default(0.99),
  nStep: z.int().positive().default(1),
  /** `dense`: a reward every step; `sparse`: only at the end of an episode, and only if it succeeded. */
  rewards: z.enum(['dense', 'sparse']).default('dense'),
  /** `random`: uniform minibatches (replay buffer); `sequential`: consecutive transitions (PPO rollouts). */
  sampling: z.enum(['random', 'sequential']).default('random'),
  returnNormalization: ReturnNormalization.optional(),
  normalizeStates: NormalizeStates,
  targetNetwork: TargetNetwork.optional(),
});

/**
 * Transitions recorded from the user's own environment: CSV, JSONL, numpy (.npy/.npz), HDF5
 * (D4RL, Minari, robomimic or your own dataset names) or Parquet (LeRobot), plain or
 * gzip-compressed text. Column / field / array names default to the ones the fixture generator
 * writes (obs_*, reward, done; states, rewards, dones), and to LeRobot's for Parquet.
 */
export const RecordedData = z.strictObject({
  source: z.literal('recorded'),
  /** Relative to the config file. */
  path: z.string().min(1),
  /**
   * By extension when absent: .csv, .jsonl/.ndjson (each also as .gz), .npy, .npz, .h5/.hdf5,
   * .parquet.
   */
  format: z.enum(['csv', 'jsonl', 'npy', 'npz', 'hdf5', 'parquet']).optional(),
  /**
   * CSV/JSONL text: `auto` reads gzip-compressed files (by their first bytes) and plain ones;
   * `gzip` insists on gzip, `none` on plain text.
   */
  compression: z.enum(['auto', 'gzip', 'none']).default('auto'),
  /**
   * HDF5 dataset layout; detected from the file's datasets when absent. `d4rl`: flat
   * observations/actions/rewards/terminals/timeouts (+ next_observations); `minari`: one
   * episode_N group each (observations [T+1, D], rewards, terminations, truncations);
   * `robomimic`: data/demo_N groups (obs/*, rewards, dones, next_obs/*); `arrays`: the datasets
   * data.arrays names.
   */
  layout: z.enum(['d4rl', 'minari', 'robomimic', 'arrays']).optional(),
  /**
   * CSV columns (states: a glob like obs_* or a list), JSONL fields, Parquet columns. Defaults:
   * obs_* (JSONL: obs), reward, done for text; observation.state, next.reward, next.done,
   * episode_index for Parquet (LeRobot).
   */
  columns: z
    .strictObject({
      states: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
      /** CSV: the action columns of a Q(s, a) critic's data (a glob like act_* or a list). */
      actions: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
      reward: z.string().optional(),
      done: z.string().optional(),
      /** Parquet: the column whose change marks a new episode (an episode that ends without done is truncated). */
      episode: z.string().optional(),
      return: z.string().optional(),
      value: z.string().optional(),
    })
    .prefault({}),
  /** .npy files (relative to the config), .npz array names or HDF5 dataset paths (layout arrays). */
  arrays: z
    .strictObject({
      states: z.string().default('states'),
      rewards: z.string().default('rewards'),
      dones: z.string().default('dones'),
      /** 1 where a time limit cut the episode (it bootstraps), as D4RL's timeouts. */
      truncations: z.string().optional(),
      /** The state after each transition, [T, D] (D4RL's next_observations): what a truncated step bootstraps from. */
      nextStates: z.string().optional(),
      returns: z.string().optional(),
      values: z.string().optional(),
      /** The action at each t, [T, A] (Q(s, a) critics; D4RL files' `actions` is read without naming it). */
      actions: z.string().optional(),
    })
    .prefault({}),
  /**
   * `precomputed`: the file's return column; `monteCarlo`: discounted returns restarting at each
   * done; `nStep`: bootstrapped from the critic's current value n steps on, cut at done; `gae`:
   * λ-returns from the file's value column.
   */
  targets: z.enum(['precomputed', 'monteCarlo', 'nStep', 'gae']).default('monteCarlo'),
  gamma: Gamma.default(0.99),
  nStep: z.int().positive().default(1),
  lambda: z.number().min(0).max(1).default(0.95),
  /** A final episode the file cuts off: bootstrap from the critic's value of its last state, or drop it. */
  truncated: z.enum(['bootstrap', 'drop']).default('bootstrap'),
  /** random: with replacement; shuffled: a fresh permutation every epoch; sequential: in file order. */
  sampling: z.enum(['random', 'shuffled', 'sequential']).default('shuffled'),
  /** State normalisation: none, fixed (mean/std of the whole file) or running (updated per batch). */
  normalizeStates: z.enum(['none', 'fixed', 'running']).default('none'),
  rewardScale: z.number().default(1),
  returnNormalization: z.strictObject({ epsilon: z.number().min(0).default(1e-8) }).optional(),
  targetNetwork: TargetNetwork.optional(),
});

export const Data = z.discriminatedUnion('source', [SyntheticData, RecordedData]);

export const FAIL_ON = ['nan', 'inf', 'explosion', 'warning', 'finding', 'none'] as const;
export const FailOn = z.enum(FAIL_ON);

export const Watch = z.strictObject({
  /** |x| above this in any watched tensor is an explosion. */
  explosionThreshold: z.number().positive().default(1e6),
  /** After a NaN every later step is NaN too: stop there. */
  stopOnNaN: z.boolean().default(true),
  /**
   * What makes the run fail (exit 1). Severity ladder: `nan` fails on NaN only, `inf` on NaN or Inf
   * (non-finite), `explosion` on any of the three, `warning` also on an early warning (predicted
   * overflow, before any NaN), `finding` also on a silent failure (a layer saturated, dead or
   * starved of gradient, a loss flat under growing targets), `none` never.
   */
  failOn: FailOn.default('inf'),
  /** Keep one history point every this many steps (bounded memory over long runs). */
  historyEvery: z.int().positive().optional(),
  /** Most history points kept; older ones are thinned, the first events' steps are always kept. */
  historySize: z.int().min(16).max(100_000).default(2000),
});

export const ConfigSchema = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  seed: z
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(0),
  steps: z.int().positive().max(100_000_000).default(1000),
  batchSize: z.int().positive().max(65_536).default(64),
  network: z.strictObject({
    inputDim: z.int().positive().max(1_000_000),
    layers: z.array(Layer).min(1).max(64),
    /**
     * Critics trained side by side on the same minibatches (TD3's and SAC's twin Q heads: 2; REDQ's
     * ensembles more), each a chain of `layers`, each bootstrapping from the minimum of all their
     * values (target networks' with `data.targetNetwork`): r + γ·min_i Q_i′(s′, a′). Each head's
     * layers are named `qf<i>` (SB3's: a `qf0` in a layer name becomes `qf<i>`; other names are
     * prefixed `qf<i>.`).
     */
    critics: z.int().min(1).max(10).default(1),
    /**
     * Start from saved weights instead of the initializers: a folder (relative to the config) with
     * one float .npy per parameter, named `<layer>__V.npy`, `<layer>__g.npy`, `<layer>__b.npy`
     * (`__W` for plain dense) — what `run --dump-dir` writes, or your own model's weights.
     */
    initFrom: z.string().min(1).optional(),
    /**
     * A saved model instead of describing the layers here (relative to the config): a Keras 3
     * `.keras`, a Keras `.h5`, or a tfjs model.json beside its weight files. A chain of Dense layers
     * becomes the critic (plain dense, starting from the saved kernels and biases), its
     * normalisation, dropout, residual Adds and the action's Concatenate folded into the layers;
     * `layers` and `inputDim` are then filled in from it (the report's resolved config shows them);
     * see docs/own-model.md.
     */
    model: z.string().min(1).optional(),
    /**
     * A Keras `network.model` that stores its optimizer's state (slots and iteration count): start
     * from it, so training resumes where the Python run stopped. Filled in as true when the
     * optimizer comes from the file and the file has its state; false starts the slots afresh.
     */
    restoreOptimizer: z.boolean().optional(),
    /**
     * A PyTorch `state_dict` (`torch.save(critic.state_dict(), 'critic.pt')`, relative to the
     * config) to start `layers` from: its Linear weights in order or by name (`0.weight`,
     * `fc1.weight`…), transposed from torch's [out, in]. Layers are then plain dense unless they say otherwise.
     */
    weights: z.string().min(1).optional(),
    /**
     * Which of a saved model's inputs is the state and which the action (a Q(s, a) critic): the
     * input layers' names. Required when the model has two inputs; one input is the state.
     */
    inputs: z.strictObject({ state: z.string().min(1), action: z.string().min(1).optional() }).optional(),
    /**
     * A TF1 checkpoint's variable scope (`critic` for `critic/l3/V`): where `network.weights` is a
     * TensorFlow checkpoint prefix, its layers' variables are looked up under it.
     */
    scope: z.string().min(1).optional(),
    /**
     * The most a model or weights file may make critic-doctor allocate, in bytes (256 MiB by
     * default): what a file declares — a dataset's shape, a zip member's inflated size — is checked
     * against it before anything is read. Raise it for the rare real model beyond.
     */
    maxModelBytes: z.int().positive().optional(),
    /** Width of the action input (Q(s, a) critics): filled in from the saved model. */
    actionDim: z.int().positive().max(1_000_000).optional(),
    /**
     * Where a Q(s, a) critic's action joins: the layer whose input is `cat([previous layer's
     * output, action], 1)` — a Keras TD3 critic's second layer. By default the first layer,
     * `cat([state, action], 1)` as SB3's critics take it. Filled in from a saved model.
     */
    actionAt: z.string().min(1).optional(),
  }),
  /**
   * mse: the seed's mean((target − v)²); huber: TF1's huber_loss with `huberDelta` (torch's
   * HuberLoss(delta)); smooth_l1: torch's smooth_l1_loss with `smoothL1Beta` (huber / β).
   */
  loss: z.enum(['mse', 'huber', 'smooth_l1']).default('mse'),
  huberDelta: z.number().positive().default(1),
  /** smooth_l1's β (torch's `beta`, 1 when absent): ½e²/β where |e| < β, |e| − ½β beyond. */
  smoothL1Beta: z.number().positive().optional(),
  regularization: z
    .strictObject({
      l1: z.number().min(0).default(0),
      l2: z.number().min(0).default(0),
      /** The seed computes an L1 penalty and never adds it to the loss: false reproduces that. */
      addToLoss: z.boolean().default(false),
    })
    .prefault({}),
  optimizer: Optimizer.prefault({ type: 'rmsprop' }),
  clip: z
    .strictObject({
      /** `perTensor`: the seed's clip_by_norm on each gradient; `global`: clip_by_global_norm. */
      mode: z.enum(['perTensor', 'global', 'none']).default('perTensor'),
      norm: z.number().positive().default(5),
    })
    .prefault({}),
  data: Data,
  watch: Watch.prefault({}),
});

export type RawConfig = z.input<typeof ConfigSchema>;
export type Config = z.output<typeof ConfigSchema>;
export type LayerConfig = z.output<typeof Layer>;
export type InitConfig = z.output<typeof Init>;
export type OptimizerConfig = z.output<typeof Optimizer>;
export type DataConfig = z.output<typeof Data>;
export type SyntheticDataConfig = z.output<typeof SyntheticData>;
export type RecordedDataConfig = z.output<typeof RecordedData>;
export type WatchConfig = z.output<typeof Watch>;
export type ActivationNameT = z.output<typeof ActivationName>;
export type FailOnT = z.output<typeof FailOn>;
export type TargetNetworkConfig = z.output<typeof TargetNetwork>;
