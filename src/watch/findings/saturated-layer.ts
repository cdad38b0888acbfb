import { median } from '../../util/stats.js';
import { fmt, pct } from '../../util/number-format.js';
import { FindingRule, type Holding, type StepSummary } from './finding.js';

/** At least this fraction of a tanh/sigmoid layer's pre-activations where f' < 0.01 (DeepDiagnosis uses 50 %). */
export const SATURATED_FRACTION = 0.5;

/** A saturating layer (tanh, sigmoid) whose pre-activations sit mostly where the nonlinearity is flat. */
export class SaturatedLayer extends FindingRule {
  readonly about = { name: 'saturated-layer', label: 'saturated', cause: 'scale' } as const;

  protected holds(s: StepSummary): Holding[] {
    const mid = median(s.layers.flatMap((l) => (l.gradNorm !== null && l.gradNorm > 0 ? [l.gradNorm] : [])));
    return s.layers
      .filter((l) => l.saturatedFraction !== null && l.saturatedFraction >= SATURATED_FRACTION)
      .map((l) => ({
        layer: l.layer,
        numbers: {
          saturatedFraction: l.saturatedFraction!,
          ...(l.gradNorm !== null ? { gradNorm: l.gradNorm, gradNormOverMedian: mid ? l.gradNorm / mid : NaN } : {}),
        },
      }));
  }

  protected sentence(h: Holding, since: number): string {
    const n = h.numbers;
    const rel = Number.isFinite(n.gradNormOverMedian) ? `, ${fmt(n.gradNormOverMedian)} × the network's median` : '';
    return `${h.layer} has been ${pct(n.saturatedFraction!)} saturated since step ${since} (gradient norm ${fmt(n.gradNorm)}${rel})`;
  }

  protected meaning(): string {
    return 'its units pass on little more than the sign of their input and almost no gradient: the layer no longer learns';
  }

  protected remedy(): string {
    return 'normalize-states';
  }
}
