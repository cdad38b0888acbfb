import { pct } from '../util/number-format.js';

/** "31 % dead" (relu-like) or "96 % <saturated>" (tanh-like), else "–"; `saturated` is the word to use. */
export function inactivityText(x: { deadFraction: number | null; saturatedFraction: number | null }, saturated: string): string {
  if (x.deadFraction !== null) return `${pct(x.deadFraction)} dead`;
  if (x.saturatedFraction !== null) return `${pct(x.saturatedFraction)} ${saturated}`;
  return '–';
}

/** The per-layer table's columns, in every format that shows it. */
export const LAYER_COLUMNS = [
  'layer',
  'activation',
  'max |x·V|',
  'max |pre|',
  'max |act|',
  '‖∂loss/∂θ‖',
  '‖V‖',
  'max |g|',
  'dead / saturated',
  'NaN+Inf',
] as const;

/** A finding in one line: "l3: l3 has been 100 % saturated since step 212 (...) → remedy normalize-states". */
export function findingText(f: { sentence: string; meaning: string; remedy: string; ongoing: boolean; lastStep: number }): string {
  return `${f.sentence}${f.ongoing ? '' : ` (until step ${f.lastStep})`}: ${f.meaning} → remedy to test: ${f.remedy}`;
}
