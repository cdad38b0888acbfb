import { z } from 'zod';
import { Float } from '../../util/float-schema.js';
import type { LayerHealth } from '../layer-health.js';
import { CauseSchema, type Cause } from '../cause.js';

/**
 * A silent failure: no NaN, no Inf, but a layer (or the whole critic) that has stopped learning
 * for long enough that it is not a blip. Plain data; reporters only draw it.
 */
export const FindingSchema = z.object({
  /** The rule that found it: saturated-layer, dead-layer, vanishing-gradient, loss-plateau, frozen-weights, thrashing-weights. */
  rule: z.string(),
  /** The rule's short name for tables and sentences ("saturated"; with the layer: "l3 saturated"). */
  label: z.string(),
  /** What the rule points at, in treat's words. */
  cause: CauseSchema,
  /** The layer, or null for the whole critic. */
  layer: z.string().nullable(),
  /** First step of the run of steps over which the rule held (at least its minimum duration). */
  firstStep: z.int(),
  /** Last step it was seen holding (the run's last step when it still held at the end). */
  lastStep: z.int(),
  /** Whether it still held at the last step checked. */
  ongoing: z.boolean(),
  /** The numbers behind it, at the last step it held (fractions, norms, ratios). */
  numbers: z.record(z.string(), Float),
  /** One sentence: what happened. */
  sentence: z.string(),
  /** What it means for training, in one sentence. */
  meaning: z.string(),
  /** The `treat` remedy that tests a cure for it. */
  remedy: z.string(),
});
export type Finding = z.infer<typeof FindingSchema>;

/** What a rule sees at each checked step. */
export interface StepSummary {
  step: number;
  loss: number;
  maxAbsTarget: number | null;
  layers: LayerHealth[];
}

/** What a rule reports at a step where it holds: for which layer, and its numbers. */
export interface Holding {
  layer: string | null;
  numbers: Record<string, number>;
}

/**
 * A findings rule (Cockpit's quantity shape): a threshold and a minimum duration; the base tracks,
 * per layer, since when the rule has held without a break, and turns a run of at least `minSteps`
 * steps into a Finding. A subclass writes only `holds` and its words.
 */
export abstract class FindingRule {
  /** Its id, its short name in tables ("saturated", "dead"), and the cause treat's remedies are ordered by. */
  abstract readonly about: { readonly name: string; readonly label: string; readonly cause: Cause };

  get name(): string {
    return this.about.name;
  }
  /** Steps the rule must hold without a break before it is a finding (a blip is not). */
  constructor(readonly minSteps: number) {}

  /** Where the rule holds at this step. */
  protected abstract holds(s: StepSummary): Holding[];
  protected abstract sentence(h: Holding, since: number): string;
  protected abstract meaning(h: Holding): string;
  protected abstract remedy(h: Holding): string;

  private readonly since = new Map<string, number>();
  private readonly found = new Map<string, Finding>();

  /** Feeds one checked step. */
  observe(s: StepSummary): void {
    const now = new Set<string>();
    for (const h of this.holds(s)) {
      const key = h.layer ?? '';
      now.add(key);
      const since = this.since.get(key) ?? s.step;
      this.since.set(key, since);
      const prior = this.found.get(key);
      if (prior && prior.ongoing) {
        Object.assign(prior, { lastStep: s.step, numbers: h.numbers, sentence: this.sentence(h, prior.firstStep) });
      } else if (!prior && s.step - since >= this.minSteps) {
        this.found.set(key, {
          rule: this.about.name,
          label: this.about.label,
          cause: this.about.cause,
          layer: h.layer,
          firstStep: since,
          lastStep: s.step,
          ongoing: true,
          numbers: h.numbers,
          sentence: this.sentence(h, since),
          meaning: this.meaning(h),
          remedy: this.remedy(h),
        });
      }
    }
    for (const key of [...this.since.keys()]) {
      if (now.has(key)) continue;
      this.since.delete(key);
      const f = this.found.get(key);
      if (f) f.ongoing = false;
    }
  }

  findings(): Finding[] {
    return [...this.found.values()];
  }
}

/** A finding's name in tables and sentences: "l3 saturated", "loss flat under growing targets". */
export function findingLabel(f: { label: string; layer: string | null }): string {
  return f.layer ? `${f.layer} ${f.label}` : f.label;
}
