import { tf } from '../util/tfjs.js';
import type { Config } from '../config/schema.js';
import { clipGradients } from './clip.js';
import { createOptimizer, type Optimizer } from './optimizers.js';

/** tfjs-core's `{name, tensor}` pairs, as optimizers take gradients. */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** Slots a run starts from (a Keras file's), by variable and slot name, and the iteration reached. */
export interface StartingSlots {
  iteration: number;
  /** values.get(variableName)?.get(slotName) */
  values: Map<string, Map<string, Float32Array>>;
}

/**
 * The config's optimizer and clipping as a tfjs `Optimizer`, for a model trained as a tfjs
 * LayersModel (a Keras graph): the same update functions as the critic engine (train/optimizers.ts,
 * TF1's and Keras's semantics, not tfjs's own Adam or RMSprop) and the same clipping, so a setting
 * means one thing whichever engine runs it. Slots are variables kept as `{originalName, variable}`
 * lists under their slot names, as tfjs's optimizers keep theirs (the watcher reads them there).
 */
export class ConfigOptimizer extends tf.Optimizer {
  static get className(): string {
    return 'CriticDoctorOptimizer';
  }
  private readonly impl: Optimizer;
  private slotVars: tf.Variable[][] | null = null;
  private iteration: number;

  constructor(
    private readonly cfg: Pick<Config, 'optimizer' | 'clip'>,
    private readonly start?: StartingSlots,
  ) {
    super();
    this.impl = createOptimizer(cfg.optimizer);
    this.iteration = start?.iteration ?? 0;
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const named = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const registered = tf.engine().registeredVariables;
    const vars = named.map((g) => registered[g.name]!);
    if (!this.slotVars) this.slotVars = this.createSlots(vars);
    const slotVars = this.slotVars;
    this.iteration++;
    tf.tidy(() => {
      const { clipped } = clipGradients(
        this.cfg.clip,
        named.map((g) => g.tensor),
      );
      const out = this.impl.apply(vars, clipped, slotVars, this.iteration);
      vars.forEach((v, i) => v.assign(out.params[i]!));
      slotVars.forEach((kind, k) => kind.forEach((s, i) => s.assign(out.slots[k]![i]!)));
    });
  }

  /** One variable per slot kind and parameter, from the starting slots where given; listed as tfjs optimizers list theirs. */
  private createSlots(vars: tf.Variable[]): tf.Variable[][] {
    const init = tf.tidy(() => this.impl.initSlots(vars));
    const slots = this.impl.slotNames.map((slot, k) =>
      vars.map((v, i) => {
        const given = this.start?.values.get(v.name)?.get(slot);
        const t = given ? tf.tensor(given, v.shape) : init[k]![i]!;
        const s = tf.variable(t, false);
        if (t !== init[k]![i]) t.dispose();
        return s;
      }),
    );
    tf.dispose(init.flat());
    this.impl.slotNames.forEach((slot, k) => {
      (this as unknown as Record<string, unknown>)[slot] = vars.map((v, i) => ({ originalName: v.name, variable: slots[k]![i]! }));
    });
    return slots;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.cfg.optimizer, clip: this.cfg.clip.mode };
  }

  override dispose(): void {
    tf.dispose(this.slotVars?.flat() ?? []);
    this.slotVars = null;
    super.dispose();
  }
}
