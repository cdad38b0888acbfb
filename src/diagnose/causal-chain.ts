import { z } from 'zod';
import { fmt, pct } from '../util/number-format.js';
import type { Config } from '../config/schema.js';
import { describeEvent, type FirstEvents } from '../watch/events.js';
import { Float } from '../util/float-schema.js';
import type { HistoryPoint } from '../watch/history.js';

const GrowthSchema = z.object({
  /** "g" (max |g|) or "V" (‖V‖) of a layer, or "target" (max |target|). */
  quantity: z.string(),
  layer: z.string().nullable(),
  fromStep: z.int(),
  toStep: z.int(),
  from: Float,
  to: Float,
  /** Growth factor per 100 steps (geometric mean over the interval); null over fewer than MIN_RATE_STEPS steps. */
  per100: Float.nullable(),
});

/** A rate per 100 steps is only fitted over at least this many steps (3 steps say nothing of 100). */
export const MIN_RATE_STEPS = 20;
export type Growth = z.infer<typeof GrowthSchema>;

/** The story from a healthy start to the first trouble, read off the history. */
export const CausalChainSchema = z.object({
  /** The step the story ends at: the first explosion, else the first Inf or NaN. */
  step: z.int(),
  /** The parameter (g or ‖V‖ of some layer) that grew the most by then. */
  driver: GrowthSchema.nullable(),
  /**
   * max |target| over the same interval, and whether it ran away (×10 or more) with bootstrapped
   * targets; null where no target was watched (a model whose loss the watcher cannot see into).
   */
  targets: GrowthSchema.extend({ bootstrapped: z.boolean(), ranAway: z.boolean() }).nullable(),
  /** Dead (relu-like) or saturated (tanh-like) fraction of each layer at the start and at the step. */
  inactivity: z.array(z.object({ layer: z.string(), kind: z.enum(['dead', 'saturated']), from: Float, to: Float })),
  /** The story in a few sentences. */
  lines: z.array(z.string()),
});
export type CausalChain = z.infer<typeof CausalChainSchema>;

function growth(quantity: string, layer: string | null, a: HistoryPoint, b: HistoryPoint, from: number, to: number): Growth {
  const span = Math.max(1, b.step - a.step);
  const ratio = from !== 0 ? Math.abs(to / from) : Infinity;
  return {
    quantity,
    layer,
    fromStep: a.step,
    toStep: b.step,
    from,
    to,
    per100: span < MIN_RATE_STEPS ? null : Number.isFinite(ratio) && ratio > 0 ? ratio ** (100 / span) : ratio,
  };
}

/** "(×12.3 every 100 steps)", or nothing where no rate was fitted. */
function rate(g: Growth): string {
  return g.per100 === null ? '' : ` (×${fmt(g.per100)} every 100 steps)`;
}

/**
 * Walks back from the first trouble through the history: which tensor crossed the threshold first,
 * which parameter grew the most on the way, whether the (bootstrapped) targets ran away, and how
 * dead or saturated the layers became. Null when the run stayed healthy.
 */
export function causalChain(first: FirstEvents, history: HistoryPoint[], config: Config): CausalChain | null {
  const end = first.explosion ?? first.inf ?? first.nan;
  if (!end || history.length === 0) return null;
  const start = history[0]!;
  // The last point at or before the event (its step is always kept in the history).
  const at = [...history].reverse().find((p) => p.step <= end.step) ?? start;
  const lines: string[] = [];
  if (end.phase === 'input') lines.push(`It started in the data: at step ${end.step}, ${describeEvent(end)}, before any layer ran.`);
  if (first.explosion) {
    const e = first.explosion;
    lines.push(
      `|x| first exceeded ${fmt(config.watch.explosionThreshold)} at step ${e.step}: ${describeEvent(e)} (max |x| ` +
        `${fmt(e.maxAbs)}; ${fmt(e.previousMaxAbs)} the step before).`,
    );
  }
  let driver: Growth | null = null;
  for (const l of at.layers) {
    const s = start.layers.find((x) => x.layer === l.layer);
    if (!s) continue;
    const candidates: Growth[] = [];
    if (l.normV !== null && s.normV !== null) candidates.push(growth('V', l.layer, start, at, s.normV, l.normV));
    if (l.maxAbsG !== null && s.maxAbsG !== null) candidates.push(growth('g', l.layer, start, at, s.maxAbsG, l.maxAbsG));
    for (const c of candidates) {
      const r = Math.abs(c.to / c.from);
      if (Number.isFinite(r) && (!driver || r > Math.abs(driver.to / driver.from))) driver = c;
    }
  }
  // A growth line only where something grew (a shrink is not growth).
  if (driver && at.step > start.step && Math.abs(driver.to) > Math.abs(driver.from)) {
    const name = driver.quantity === 'g' ? `max |g| of ${driver.layer}` : `‖V‖ of ${driver.layer}`;
    lines.push(
      `Largest parameter growth: ${name} went from ${fmt(driver.from)} to ${fmt(driver.to)} between steps ${driver.fromStep} and ` +
        `${driver.toStep}${rate(driver)}.`,
    );
  }
  const d = config.data;
  const bootstrapped = (d.source === 'synthetic' && d.targets === 'bootstrap') || (d.source === 'recorded' && d.targets === 'nStep');
  // A targets line only where targets were seen.
  const seen = start.maxAbsTarget !== null && at.maxAbsTarget !== null;
  const tg = seen ? growth('target', null, start, at, start.maxAbsTarget!, at.maxAbsTarget!) : null;
  const ranAway = !!tg && bootstrapped && Math.abs(tg.to / tg.from) >= 10;
  const targets = tg ? { ...tg, bootstrapped, ranAway } : null;
  if (tg && ranAway) {
    lines.push(
      `The bootstrapped targets ran away: max |target| grew from ${fmt(tg.from)} to ${fmt(tg.to)}${rate(tg)} — r + γ·v(s′) ` +
        `chases the critic's own growing value.`,
    );
  } else if (tg) {
    lines.push(
      `The targets stayed in range: max |target| ${fmt(tg.from)} → ${fmt(tg.to)}` +
        `${bootstrapped ? ' (bootstrapped, but not running away)' : ''}.`,
    );
  }
  type Inactivity = CausalChain['inactivity'][number];
  const inactivity = at.layers.flatMap((l): Inactivity[] => {
    const s = start.layers.find((x) => x.layer === l.layer);
    if (!s) return [];
    if (l.deadFraction !== null && s.deadFraction !== null)
      return [{ layer: l.layer, kind: 'dead', from: s.deadFraction, to: l.deadFraction }];
    if (l.saturatedFraction !== null && s.saturatedFraction !== null)
      return [{ layer: l.layer, kind: 'saturated', from: s.saturatedFraction, to: l.saturatedFraction }];
    return [];
  });
  // Only the layers whose fraction moved (as printed): "0 % → 0 %" says nothing happened.
  const moved = inactivity.filter((x) => pct(x.from) !== pct(x.to));
  if (moved.length) lines.push(`Along the way: ${moved.map((x) => `${x.layer} ${x.kind} ${pct(x.from)} → ${pct(x.to)}`).join(', ')}.`);
  if (first.inf && first.inf.step >= end.step && first.inf !== end)
    lines.push(`Then the first Inf (float32 overflow) at step ${first.inf.step}: ${describeEvent(first.inf)}.`);
  if (first.nan && first.nan !== end) lines.push(`Then the first NaN at step ${first.nan.step}: ${describeEvent(first.nan)}.`);
  return { step: at.step, driver, targets, inactivity, lines };
}
