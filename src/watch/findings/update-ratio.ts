import { fmt } from '../../util/number-format.js';
import { FindingRule, type Holding, type StepSummary } from './finding.js';

/** ‖Δθ‖/‖θ‖ of a layer's weight matrix per step below this: the weights are frozen (SageMaker's weight_update_ratio). */
export const FROZEN_RATIO = 1e-8;
/** ... above this: each step rewrites a tenth of the weights or more, they thrash. */
export const THRASHING_RATIO = 1e-1;

abstract class UpdateRatioRule extends FindingRule {
  protected abstract inRange(ratio: number): boolean;

  protected holds(s: StepSummary): Holding[] {
    return s.layers
      .filter((l) => l.updateRatio !== null && Number.isFinite(l.updateRatio) && this.inRange(l.updateRatio))
      .map((l) => ({ layer: l.layer, numbers: { updateRatio: l.updateRatio!, normV: l.normV } }));
  }
}

/** A layer whose weights barely move: each update changes them by less than 1e-8 of their size. */
export class FrozenWeights extends UpdateRatioRule {
  readonly name = 'frozen-weights';
  readonly cause = 'scale' as const;
  readonly label = 'frozen';
  protected inRange = (r: number) => r < FROZEN_RATIO;
  protected sentence(h: Holding, since: number): string {
    return `${h.layer}'s weights have moved by ${fmt(h.numbers.updateRatio)} of their norm per step since step ${since}`;
  }
  protected meaning(): string {
    return 'below float32 resolution for most weights: the layer is frozen, whatever its gradient says';
  }
  protected remedy(): string {
    return 'normalize-states';
  }
}

/** A layer whose weights are rewritten by a tenth of their size or more at every step. */
export class ThrashingWeights extends UpdateRatioRule {
  readonly name = 'thrashing-weights';
  readonly cause = 'optimizer' as const;
  readonly label = 'thrashing';
  protected inRange = (r: number) => r > THRASHING_RATIO;
  protected sentence(h: Holding, since: number): string {
    return `${h.layer}'s weights have changed by ${fmt(h.numbers.updateRatio)} of their norm per step since step ${since}`;
  }
  protected meaning(): string {
    return 'each step overwrites what the last one learned: the step size is too large for this layer';
  }
  protected remedy(): string {
    return 'lr-div10';
  }
}
