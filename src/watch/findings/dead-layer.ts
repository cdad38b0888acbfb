import { pct } from '../../util/number-format.js';
import { FindingRule, type Holding, type StepSummary } from './finding.js';

/** At least this fraction of a relu-like layer's units inactive on the whole batch (DeepDiagnosis: 70 %). */
export const DEAD_FRACTION = 0.7;

/** A relu-like layer most of whose units output 0 for every sample of the batch. */
export class DeadLayer extends FindingRule {
  readonly about = { name: 'dead-layer', label: 'dead', cause: 'activation' } as const;

  protected holds(s: StepSummary): Holding[] {
    return s.layers
      .filter((l) => l.deadFraction !== null && l.deadFraction >= DEAD_FRACTION)
      .map((l) => ({
        layer: l.layer,
        numbers: { deadFraction: l.deadFraction!, ...(l.gradNorm !== null ? { gradNorm: l.gradNorm } : {}) },
      }));
  }

  protected sentence(h: Holding, since: number): string {
    return `${h.layer} has had ${pct(h.numbers.deadFraction!)} dead units since step ${since}`;
  }

  protected meaning(): string {
    return 'a dead unit outputs 0 and gets no gradient for any input in the batch, so it cannot recover by itself';
  }

  protected remedy(): string {
    return 'leaky-relu';
  }
}
