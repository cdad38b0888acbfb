/** A number as the reports print it: 4 significant digits, exponent form for very large or small, NaN/Inf/– spelled out. */
export function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined) return '–';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return x.toExponential(2).replace('e+', 'e');
  return Number(x.toPrecision(4)).toString();
}

/** A fraction as every report and sentence prints it: 0.4 → "40 %" (a space before the sign, as SI writes it; – when not finite). */
export function pct(x: number): string {
  return Number.isFinite(x) ? `${Math.round(x * 100)} %` : '–';
}
