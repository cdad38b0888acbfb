import path from 'node:path';
import { ConfigError } from '../config/errors.js';
import type { OptimizerConfig, RawConfig } from '../config/schema.js';
import { modelError, type KerasModel, type KerasTensor } from './keras-model.js';

/**
 * What `compile` left in a Keras file, in the config's words, with Keras's own semantics per class
 * (keras/src/optimizers/*.py; tf.keras 2's optimizer_v2 for legacy optimizers):
 * - Adam: `m += (g − m)(1 − β1); v += (g² − v)(1 − β2); θ −= lr·√(1−β2ᵗ)/(1−β1ᵗ)·m/(√v + ε)` — TF1's
 *   ApplyAdam, which the `adam` optimizer is; Keras's ε defaults to 1e-7.
 * - RMSprop: velocity from 0 (`rmsInit: 0`), `decay` = rho (default 0.9); ε inside the sqrt in
 *   Keras 3 and tf.keras ≥ 2.11's optimizers (`lr·g/√(v + ε)`), outside in the legacy optimizer_v2
 *   (`lr·g/(√v + ε)`, tf.keras < 2.11 or `is_legacy_optimizer: true`).
 * - SGD: `m = μm − lr·g; θ += m`, the same update as TF1's `a = μa + g; θ −= lr·a` (a = −m/lr).
 * - clipnorm: each gradient clipped by its own norm (`perTensor`); global_clipnorm: `global`; neither: none.
 * Anything these do not cover (amsgrad, centered, nesterov, weight decay, EMA, clipvalue, a
 * learning-rate schedule, another class) is refused, naming it, unless the config sets `optimizer`.
 */
export interface FileSettings {
  /** Keras's own optimizers only (never a torch preset), in the config's words. */
  optimizer?: Extract<Exclude<RawConfig['optimizer'], undefined>, { type: 'adam' | 'rmsprop' | 'sgd' }>;
  clip?: { mode: 'perTensor' | 'global' | 'none'; norm?: number };
  loss?: { loss: 'mse' | 'huber'; huberDelta?: number };
  /** The optimizer's class in the file, and how its stored variables map onto our slots. */
  slotKinds?: { className: string; kinds: Record<string, string> };
}

type Cfg = Record<string, unknown>;

function num(cfg: Cfg, key: string, dflt: number): number {
  const v = cfg[key];
  return typeof v === 'number' ? v : dflt;
}

/** Whether the file's optimizer is tf.keras 2's legacy optimizer_v2 (ε outside RMSprop's sqrt). */
function legacyOptimizer(m: KerasModel, cfg: Cfg): boolean {
  if (typeof cfg.is_legacy_optimizer === 'boolean') return cfg.is_legacy_optimizer;
  const [major, minor] = m.kerasVersion.split('.').map(Number);
  return major === 2 && (minor ?? 0) < 11;
}

/** The file's optimizer, clipping and loss as config values; refusals name the file and the setting. */
export function kerasSettings(m: KerasModel, want: { optimizer: boolean; loss: boolean }): FileSettings {
  const out: FileSettings = {};
  const where = `${path.basename(m.file)}'s ${m.format === 'h5' ? 'training_config' : 'compile_config'}`;
  const refuse = (what: string): never =>
    modelError(m.file, `${where}: ${what} is not supported; set optimizer: in the config to train with one critic-doctor has`);
  const o = m.training?.optimizer;
  if (want.optimizer && o) {
    const c = o.config;
    // Keras writes the float32 variable's value as a double (0.009999999776482582): the shortest decimal of the same float32.
    const lr = shortestFloat32(c.learning_rate ?? c.lr);
    if (typeof lr !== 'number') refuse(`a learning rate that is not a number (${JSON.stringify(lr)})`);
    for (const [key, bad] of [
      ['amsgrad', true],
      ['centered', true],
      ['nesterov', true],
      ['use_ema', true],
    ] as const)
      if (c[key] === bad) refuse(`${key}: true`);
    if (typeof c.weight_decay === 'number' && c.weight_decay !== 0) refuse(`weight_decay ${c.weight_decay}`);
    if (typeof c.decay === 'number' && c.decay !== 0 && o.className !== 'RMSprop') refuse(`learning-rate decay ${c.decay}`);
    if (typeof c.clipvalue === 'number') refuse(`clipvalue ${c.clipvalue}`);
    if (typeof c.gradient_accumulation_steps === 'number') refuse('gradient_accumulation_steps');
    switch (o.className) {
      case 'Adam':
        out.optimizer = {
          type: 'adam',
          lr: lr as number,
          beta1: num(c, 'beta_1', 0.9),
          beta2: num(c, 'beta_2', 0.999),
          epsilon: num(c, 'epsilon', 1e-7),
        };
        out.slotKinds = { className: 'Adam', kinds: { m: 'm', momentum: 'm', v: 'v', velocity: 'v' } };
        break;
      case 'RMSprop':
        out.optimizer = {
          type: 'rmsprop',
          lr: lr as number,
          decay: num(c, 'rho', 0.9),
          momentum: num(c, 'momentum', 0),
          epsilon: num(c, 'epsilon', 1e-7),
          rmsInit: 0,
          epsilonPlacement: legacyOptimizer(m, c) ? 'outside' : 'inside',
        };
        out.slotKinds = { className: 'RMSprop', kinds: { rms: 'ms', velocity: 'ms', momentum: 'mom' } };
        break;
      case 'SGD':
        out.optimizer = { type: 'sgd', lr: lr as number, momentum: num(c, 'momentum', 0) };
        out.slotKinds = { className: 'SGD', kinds: { momentum: 'accum' } };
        break;
      default:
        refuse(`optimizer ${o.className}`);
    }
    const clipnorm = c.clipnorm;
    const global = c.global_clipnorm;
    out.clip =
      typeof global === 'number'
        ? { mode: 'global', norm: global }
        : typeof clipnorm === 'number'
          ? { mode: 'perTensor', norm: clipnorm }
          : { mode: 'none' };
  }
  if (want.loss && m.training?.loss !== undefined)
    out.loss = kerasLoss(m.training.loss, (what) =>
      modelError(m.file, `${where}: loss ${what} is not one critic-doctor has (mse, huber); set loss: in the config`),
    );
  return out;
}

function kerasLoss(raw: unknown, refuse: (what: string) => never): { loss: 'mse' | 'huber'; huberDelta?: number } {
  let l = raw;
  // A dict of one loss per output: a critic has one output.
  if (l && typeof l === 'object' && !('class_name' in l)) {
    const values = Object.values(l as Cfg);
    if (values.length === 1) l = values[0];
  }
  const name = typeof l === 'string' ? l : String((l as { class_name?: unknown })?.class_name ?? JSON.stringify(l));
  const cfg = (typeof l === 'object' && l ? ((l as { config?: Cfg }).config ?? {}) : {}) as Cfg;
  const key = name.toLowerCase().replace(/_/g, '');
  if (key === 'mse' || key === 'meansquarederror') return { loss: 'mse' };
  if (key === 'huber' || key === 'huberloss') return { loss: 'huber', huberDelta: num(cfg, 'delta', 1) };
  return refuse(name);
}

/** The optimizer's state as stored, mapped onto our parameters (`<layer>/W`, `<layer>/b`) and slots. */
export interface RestoredState {
  iteration: number;
  /** slots.get(paramName)?.get(slotName): the stored values, in our slot's meaning. */
  slots: Map<string, Map<string, Float32Array>>;
}

/**
 * The file's optimizer variables (h5 `optimizer_weights`, .keras `optimizer/vars`) as our slots
 * for `params` — trainable variables in the model's order, each `<layer>/W` or `<layer>/b` —
 * or null when the file stores none. A variable that fits no parameter, a shape that differs, or
 * a config optimizer of another kind than the file's is refused naming it.
 */
export function kerasOptimizerState(
  m: KerasModel,
  settings: FileSettings,
  params: readonly { name: string; shape: readonly number[] }[],
  optimizer: OptimizerConfig,
): RestoredState | null {
  const vars = m.optimizerVars;
  const kinds = settings.slotKinds;
  if (vars.length === 0 || !kinds) return null;
  // Every caller (the critic engine's runs, a graph's, the config loader) restores through here.
  if (settings.optimizer && settings.optimizer.type !== optimizer.type)
    throw new ConfigError(
      `network.restoreOptimizer: the file's optimizer is ${settings.optimizer.type}, the config's ${optimizer.type}: ` +
        'its state cannot be restored into another kind',
      { file: m.file, path: 'network.restoreOptimizer' },
    );
  const fail = (why: string): never => modelError(m.file, `optimizer state: ${why}`);
  const slots = new Map<string, Map<string, Float32Array>>(params.map((p) => [p.name, new Map()]));
  let iteration = 0;
  const put = (param: string, kind: string, t: KerasTensor) => {
    const slot = kinds.kinds[kind] ?? fail(`${t.name} is a ${kind} slot, which ${kinds.className} here does not have`);
    const p = params.find((q) => q.name === param) ?? fail(`${t.name} is for ${param}, which the model does not train`);
    if (t.values.length !== p.shape.reduce((a, b) => a * b, 1)) fail(`${t.name} has shape [${t.shape}], ${param} [${p.shape}]`);
    const values = slot === 'accum' && optimizer.type === 'sgd' ? t.values.map((x) => -x / optimizer.lr) : t.values;
    slots.get(param)!.set(slot, values);
  };
  if (m.format === 'keras') {
    // saving_lib: iteration, learning_rate, then the slots in the order build() made them: Adam's
    // momentum and velocity interleaved per trainable variable (add_optimizer_variables "interleaves
    // for backward-compatibility", as Keras 3.0–3.5's own loop did); RMSprop's velocities, then its
    // momentums (two calls); SGD's momentums.
    iteration = vars[0]?.values[0] ?? 0;
    const order: Record<string, string[]> = { Adam: ['momentum', 'velocity'], RMSprop: ['velocity', 'momentum'], SGD: ['momentum'] };
    const rest = vars.slice(2);
    const kindsOf = order[kinds.className]!.slice(0, rest.length / params.length);
    if (rest.length !== kindsOf.length * params.length)
      fail(
        `${rest.length} slot variables for ${params.length} parameters (${kinds.className} keeps ${order[kinds.className]!.join(', ')})`,
      );
    const interleaved = kinds.className === 'Adam';
    const k = kindsOf.length;
    kindsOf.forEach((kind, b) => params.forEach((p, i) => put(p.name, kind, rest[interleaved ? i * k + b : b * params.length + i]!)));
  } else {
    for (const t of vars) {
      const n = t.name.toLowerCase().replace(/:\d+$/, '');
      if (/(^|\/)iter(ations?|ation)?$/.test(n)) {
        iteration = t.values[0] ?? 0;
        continue;
      }
      if (/(^|\/)(learning_rate|lr|decay)$/.test(n)) continue;
      // tf.keras 2 legacy: Adam/dense/kernel/m:0; ≥ 2.11: Adam/m/dense/kernel:0; Keras 3: adam/dense_kernel_momentum.
      const hit = params
        .map((p) => {
          const [layer, w] = p.name.split('/') as [string, string];
          const v = w === 'W' ? 'kernel' : w === 'b' ? 'bias' : w;
          const m1 = new RegExp(`(^|[/_])${escape(layer.toLowerCase())}[/_]${v}(/|_|$)`).exec(n);
          return m1 ? { p, rest: (n.slice(0, m1.index) + '/' + n.slice(m1.index + m1[0].length)).split(/[/_]/).filter(Boolean) } : null;
        })
        .filter((x) => x !== null)
        .sort((a, b) => a.rest.length - b.rest.length)[0];
      if (!hit) fail(`${t.name} belongs to no parameter of the model`);
      const kind = hit!.rest.find((s) => s in kinds.kinds) ?? fail(`cannot tell which slot ${t.name} is`);
      put(hit!.p.name, kind, t);
    }
  }
  return { iteration, slots };
}

/** A float32 value by its shortest decimal (0.009999999776482582 → 0.01); anything else as it is. */
function shortestFloat32(x: unknown): unknown {
  if (typeof x !== 'number' || !Number.isFinite(x) || Math.fround(x) !== x) return x;
  for (let p = 1; p <= 9; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return y;
  }
  return x;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** "Adam lr 0.001 β1 0.9 β2 0.999 ε 1e-07" — the optimizer in a report's words. */
export function describeFileOptimizer(o: NonNullable<FileSettings['optimizer']>): string {
  switch (o.type) {
    case 'adam':
      return `Adam lr ${o.lr} β1 ${o.beta1} β2 ${o.beta2} ε ${o.epsilon}`;
    case 'rmsprop':
      return `RMSprop lr ${o.lr} ρ ${o.decay} momentum ${o.momentum} ε ${o.epsilon} (${o.epsilonPlacement} the sqrt)`;
    case 'sgd':
      return `SGD lr ${o.lr} momentum ${o.momentum}`;
  }
}
