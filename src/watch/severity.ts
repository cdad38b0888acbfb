import type { FailOnT } from '../config/schema.js';
import type { EventKind, FirstEvents } from './events.js';

/*
 * The severity rules, in one place: worst is nan > inf > explosion, and `failOn` is a ladder:
 * nan ⊂ inf ⊂ explosion ⊂ warning ⊂ finding (an early warning fails under `warning` and
 * `finding`, a finding under `finding` only).
 */

/** Event kinds from least to most severe: an explosion may turn into an Inf, an Inf into a NaN. */
export const SEVERITY_ORDER: readonly EventKind[] = ['explosion', 'inf', 'nan'];

/** Does an event of `kind` fail a run under `failOn` (a severity ladder: nan ⊂ inf ⊂ explosion)? */
export function failsUnder(kind: EventKind | null, failOn: FailOnT): boolean {
  if (kind === null || failOn === 'none') return false;
  if (failOn === 'warning' || failOn === 'finding') return true;
  return SEVERITY_ORDER.indexOf(kind) >= SEVERITY_ORDER.indexOf(failOn);
}

/** The more severe of two kinds (null: no event). */
export function worseKind(a: EventKind | null, b: EventKind | null): EventKind | null {
  if (a === null) return b;
  if (b === null) return a;
  return SEVERITY_ORDER.indexOf(b) > SEVERITY_ORDER.indexOf(a) ? b : a;
}

/** The worst kind among a run's first events: nan > inf > explosion, or null when healthy. */
export function worstKind(first: FirstEvents): EventKind | null {
  return SEVERITY_ORDER.reduce<EventKind | null>((w, k) => (first[k] ? worseKind(w, k) : w), null);
}
