/*
 * The summary statistics every table and verdict uses, defined once. Both leave out what is not
 * a finite number (null, NaN, ±Inf): a run that went NaN has no loss to average, and a median
 * step of "Inf" would say nothing. A caller that wants another subset (positive values only)
 * filters before calling.
 */

const finite = (xs: readonly (number | null | undefined)[]): number[] =>
  xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));

/** The median of the finite values: the middle one, or the mean of the two middle ones for an even count; null when none. */
export function median(xs: readonly (number | null | undefined)[]): number | null {
  const v = finite(xs).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

/** The mean of the finite values; null when none. */
export function mean(xs: readonly (number | null | undefined)[]): number | null {
  const v = finite(xs);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}
