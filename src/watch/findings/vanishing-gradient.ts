import { median } from '../../util/stats.js';
import { fmt } from '../../util/number-format.js';
import { FindingRule, type Holding, type StepSummary } from './finding.js';

/** A layer's gradient norm below this fraction of the network's median (a ratio, not an absolute number). */
export const VANISHING_RATIO = 1e-4;

/** A layer whose gradient is vanishingly small next to the other layers'. */
export class VanishingGradient extends FindingRule {
  readonly about = { name: 'vanishing-gradient', label: 'gradient vanishing', cause: 'scale' } as const;

  protected holds(s: StepSummary): Holding[] {
    // Layers without parameters have no gradient norm (null): they are neither counted nor flagged.
    const norms = s.layers.flatMap((l) => (l.gradNorm !== null ? [{ layer: l.layer, g: l.gradNorm }] : []));
    const mid = median(norms.map((n) => n.g).filter((g) => g > 0));
    if (mid === null) return [];
    return norms
      .filter((n) => Number.isFinite(n.g) && n.g / mid < VANISHING_RATIO)
      .map((n) => ({ layer: n.layer, numbers: { gradNorm: n.g, gradNormOverMedian: n.g / mid } }));
  }

  protected sentence(h: Holding, since: number): string {
    const n = h.numbers;
    return `${h.layer}'s gradient norm has been ${fmt(n.gradNormOverMedian)} × the median layer's since step ${since} (${fmt(n.gradNorm)})`;
  }

  protected meaning(): string {
    return 'its parameters barely move while the rest of the network trains';
  }

  protected remedy(): string {
    return 'normalize-states';
  }
}
