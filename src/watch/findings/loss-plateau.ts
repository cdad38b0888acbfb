import { fmt } from '../../util/number-format.js';
import { FindingRule, type Holding, type StepSummary } from './finding.js';

/** Over the window, the loss moved less than this (relative) ... */
export const PLATEAU_CHANGE = 0.1;
/** ... while max |target| grew at least this many times. */
export const TARGET_GROWTH = 2;

/**
 * The loss is flat while the bootstrapped targets keep growing: the critic keeps up with targets it
 * itself inflates (r + γ·v(s′) with γ near 1), so a flat loss is not convergence.
 */
export class LossPlateau extends FindingRule {
  readonly about = { name: 'loss-plateau', label: 'loss flat under growing targets', cause: 'targets' } as const;
  private readonly window: StepSummary[] = [];

  constructor(
    minSteps: number,
    private readonly windowSteps: number,
  ) {
    super(minSteps);
  }

  protected holds(s: StepSummary): Holding[] {
    this.window.push(s);
    while (this.window.length > 1 && s.step - this.window[0]!.step > this.windowSteps) this.window.shift();
    const first = this.window[0]!;
    if (s.step - first.step < this.windowSteps / 2) return [];
    // No target watched (a model whose loss the watcher cannot see into): nothing to compare.
    if (s.maxAbsTarget === null || first.maxAbsTarget === null) return [];
    const lossChange = Math.abs(s.loss - first.loss) / Math.max(Math.abs(first.loss), 1e-12);
    const growth = s.maxAbsTarget / Math.max(first.maxAbsTarget, 1e-12);
    if (!(lossChange < PLATEAU_CHANGE && growth >= TARGET_GROWTH)) return [];
    return [{ layer: null, numbers: { lossChange, targetGrowth: growth, loss: s.loss, maxAbsTarget: s.maxAbsTarget } }];
  }

  protected sentence(h: Holding, since: number): string {
    const n = h.numbers;
    return (
      `since step ${since} the loss has stayed within ${fmt(n.lossChange! * 100)} % ` +
      `while max |target| grew ×${fmt(n.targetGrowth)} (to ${fmt(n.maxAbsTarget)})`
    );
  }

  protected meaning(): string {
    return 'the critic is chasing targets it inflates itself; a flat loss here is not convergence';
  }

  protected remedy(): string {
    return 'gamma-0.99';
  }
}
