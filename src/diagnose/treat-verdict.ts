import type { Config } from '../config/schema.js';
import { getRemedy, SEED_ANSWER } from './remedies.js';
import { fmt } from '../util/number-format.js';
import type { RemedyRow } from './remedy-outcome.js';

export interface TreatVerdictArgs {
  rows: readonly RemedyRow[];
  baseline: { failed: number; runs: number; failStep: number | null };
  /** What counted as failing, in words ("inf", "inf, or l3 saturated"). */
  failOn: string;
  best: string | null;
  /** Steps each remedy ran. */
  steps: number;
  /** The remedies asked for with --remedies (absent: every one that applies). */
  asked?: readonly string[];
  base: Config;
}

/**
 * treat's verdict paragraph: the baseline, what cured it on every seed, what became of the seed
 * answer's remedies (He init, TF1's variance_scaling, smaller b and g, batch norm), the best cure.
 */
export function verdictText({ rows, baseline, failOn, best, steps, asked, base }: TreatVerdictArgs): string {
  const { failed, runs, failStep } = baseline;
  const out = (name: string) => {
    const r = rows.find((x) => x.remedy === name);
    if (!r) {
      const why =
        asked && !asked.includes(name)
          ? 'not tried (--remedies)'
          : !getRemedy(name)!.applies(base)
            ? 'does not apply to this config'
            : 'not tried';
      return `${name}: ${why}`;
    }
    const counts =
      r.outcome === 'cured' || r.outcome === 'partly'
        ? ` (${r.cured}/${r.runs})`
        : r.failStep !== null
          ? ` (fails at step ~${fmt(r.failStep)})`
          : '';
    return `${name}: ${r.outcome}${counts}${r.farWorseLoss ? ', but with a loss far worse than the reference' : ''}`;
  };
  const cured = rows.filter((r) => r.outcome === 'cured').map((r) => r.remedy);
  return [
    `Baseline: ${failed}/${runs} runs fail (fail on ${failOn}), median step ${fmt(failStep)}; every remedy ran ${steps} steps (at ` +
      `least twice that).`,
    cured.length ? `Cured on every seed: ${cured.join(', ')}.` : 'No remedy cured every seed.',
    `The seed answer's remedies — ${SEED_ANSWER.map(out).join('; ')}.`,
    best ? `Best cure: ${best}.` : 'No cure to recommend.',
  ].join(' ');
}
