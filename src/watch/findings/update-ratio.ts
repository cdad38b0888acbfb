import { fmt } from '../../util/number-format.js';
import { FindingRule, type Holding, type StepSummary } from './finding.js';

/** ‖Δθ‖/‖θ‖ of a layer's weight matrix per step below this: the weights are frozen (SageMaker's weight_update_ratio). */
export const FROZEN_RATIO = 1e-8;
/** ... above this: each step rewrites a tenth of the weights or more, they thrash. */
export const THRASHING_RATIO = 1e-1;

/** What tells the two rules apart: which ratios they flag, and their words. */
interface RatioWords {
  about: FindingRule['about'];
  inRange: (ratio: number) => boolean;
  /** "moved by" or "changed by". */
  verb: string;
  meaning: string;
  remedy: string;
}

/** A layer's update-to-weight ratio held outside the healthy range for the rule's duration. */
class UpdateRatioRule extends FindingRule {
  readonly about: FindingRule['about'];
  constructor(
    minSteps: number,
    private readonly words: RatioWords,
  ) {
    super(minSteps);
    this.about = words.about;
  }

  protected holds(s: StepSummary): Holding[] {
    return s.layers
      .filter((l) => l.updateRatio !== null && Number.isFinite(l.updateRatio) && this.words.inRange(l.updateRatio))
      .map((l) => ({ layer: l.layer, numbers: { updateRatio: l.updateRatio!, ...(l.normV !== null ? { normV: l.normV } : {}) } }));
  }
  protected sentence(h: Holding, since: number): string {
    return `${h.layer}'s weights have ${this.words.verb} ${fmt(h.numbers.updateRatio)} of their norm per step since step ${since}`;
  }
  protected meaning(): string {
    return this.words.meaning;
  }
  protected remedy(): string {
    return this.words.remedy;
  }
}

/** A layer whose weights barely move: each update changes them by less than 1e-8 of their size. */
export class FrozenWeights extends UpdateRatioRule {
  constructor(minSteps: number) {
    super(minSteps, {
      about: { name: 'frozen-weights', label: 'frozen', cause: 'scale' },
      inRange: (r) => r < FROZEN_RATIO,
      verb: 'moved by',
      meaning: 'below float32 resolution for most weights: the layer is frozen, whatever its gradient says',
      remedy: 'normalize-states',
    });
  }
}

/** A layer whose weights are rewritten by a tenth of their size or more at every step. */
export class ThrashingWeights extends UpdateRatioRule {
  constructor(minSteps: number) {
    const meaning = 'each step overwrites what the last one learned: the step size is too large for this layer';
    super(minSteps, {
      about: { name: 'thrashing-weights', label: 'thrashing', cause: 'optimizer' },
      verb: 'changed by',
      meaning,
      remedy: 'lr-div10',
      inRange: (r) => r > THRASHING_RATIO,
    });
  }
}
