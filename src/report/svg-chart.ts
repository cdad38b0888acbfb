/** A line of a chart; y may be NaN or ±Infinity (drawn as explicit markers, never dropped). */
export interface ChartSeries {
  name: string;
  color: string;
  points: { x: number; y: number }[];
}

export interface ChartArgs {
  title: string;
  series: ChartSeries[];
  /** Vertical markers (first NaN / Inf / explosion). */
  markers?: { x: number; label: string; color: string }[];
  /** A horizontal reference line (the explosion threshold). */
  hline?: { y: number; label: string };
  width?: number;
  height?: number;
}

const PAD = { l: 58, r: 12, t: 36, b: 42 };

function esc(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

function num(x: number): string {
  return (Math.round(x * 10) / 10).toString();
}

/**
 * An inline SVG line chart with a log₁₀ y axis (the quantities span many orders of magnitude).
 * Non-finite values break the line and are drawn as red ✕ markers on the top edge with a
 * tooltip saying what they were; values ≤ 0 sit on the bottom edge. A pure function of its input.
 */
export function renderChart(a: ChartArgs): string {
  const W = a.width ?? 560;
  const H = a.height ?? 230;
  const pw = W - PAD.l - PAD.r;
  const ph = H - PAD.t - PAD.b;
  const all = a.series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = xs.length ? Math.max(...xs, xMin + 1) : 1;
  const finite = all.map((p) => p.y).filter((y) => Number.isFinite(y) && y > 0);
  if (a.hline) finite.push(a.hline.y);
  let lo = finite.length ? Math.floor(Math.log10(Math.min(...finite))) : -1;
  let hi = finite.length ? Math.ceil(Math.log10(Math.max(...finite))) : 1;
  if (hi <= lo) hi = lo + 1;
  if (hi - lo > 40) lo = hi - 40;
  const X = (x: number) => PAD.l + ((x - xMin) / (xMax - xMin)) * pw;
  const Y = (y: number) => PAD.t + ph - ((Math.log10(y) - lo) / (hi - lo)) * ph;
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
      `role="img" aria-label="${esc(a.title)}">`,
  );
  parts.push(`<text x="${PAD.l}" y="16" class="chart-title">${esc(a.title)}</text>`);
  parts.push(`<rect x="${PAD.l}" y="${PAD.t}" width="${pw}" height="${ph}" class="plot"/>`);
  const step = Math.max(1, Math.ceil((hi - lo) / 6));
  for (let e = lo; e <= hi; e += step) {
    const y = num(Y(10 ** e));
    parts.push(
      `<line x1="${PAD.l}" x2="${PAD.l + pw}" y1="${y}" y2="${y}" class="grid"/><text x="${PAD.l - 6}" y="${y}" class="tick" ` +
        `text-anchor="end" dominant-baseline="middle">1e${e}</text>`,
    );
  }
  for (let i = 0; i <= 4; i++) {
    const xv = xMin + ((xMax - xMin) * i) / 4;
    parts.push(`<text x="${num(X(xv))}" y="${H - 24}" class="tick" text-anchor="middle">${Math.round(xv)}</text>`);
  }
  parts.push(`<text x="${num(PAD.l + pw / 2)}" y="${H - 6}" class="axis-label" text-anchor="middle">step</text>`);
  if (a.hline) {
    const y = num(Y(a.hline.y));
    parts.push(
      `<line x1="${PAD.l}" x2="${PAD.l + pw}" y1="${y}" y2="${y}" class="threshold"/><text x="${PAD.l + pw - 4}" ` +
        `y="${Number(y) - 4}" class="tick" text-anchor="end">${esc(a.hline.label)}</text>`,
    );
  }
  // Event labels stay inside the plot: right of their line, or left of it in the right half, one
  // row each so that events at nearby steps do not print over each other.
  (a.markers ?? []).forEach((m, i) => {
    const x = num(X(m.x));
    const left = Number(x) > PAD.l + pw / 2;
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${PAD.t}" y2="${PAD.t + ph}" stroke="${m.color}" class="marker"/>` +
        `<text x="${Number(x) + (left ? -3 : 3)}" y="${PAD.t + 11 + 12 * i}" fill="${m.color}" class="marker-label" ` +
        `text-anchor="${left ? 'end' : 'start'}">${esc(m.label)}</text>`,
    );
  });
  for (const s of a.series) parts.push(...seriesPath(s, X, Y, ph));
  const legend = a.series.map((s, i) => `<tspan fill="${s.color}" dx="${i ? 10 : 0}">■ ${esc(s.name)}</tspan>`).join('');
  parts.push(`<text x="${PAD.l}" y="30" class="legend">${legend}</text>`);
  parts.push('</svg>');
  return parts.join('');
}

/** One series: its line (broken at non-finite values) and a red ✕ on the top edge for each of those. */
function seriesPath(s: ChartArgs['series'][number], X: (x: number) => number, Y: (y: number) => number, ph: number): string[] {
  let d = '';
  let pen = false;
  const bad: string[] = [];
  for (const p of s.points) {
    if (!Number.isFinite(p.y)) {
      const label = Number.isNaN(p.y) ? 'NaN' : p.y > 0 ? 'Inf' : '-Inf';
      bad.push(
        `<text x="${num(X(p.x))}" y="${PAD.t + 4}" class="nonfinite" text-anchor="middle">` +
          `<title>${esc(`${s.name}: ${label} at step ${p.x}`)}</title>✕</text>`,
      );
      pen = false;
      continue;
    }
    const y = p.y > 0 ? Math.min(PAD.t + ph, Y(p.y)) : PAD.t + ph;
    d += `${pen ? 'L' : 'M'}${num(X(p.x))},${num(Math.max(PAD.t, y))}`;
    pen = true;
  }
  return [...(d ? [`<path d="${d}" stroke="${s.color}" class="line"><title>${esc(s.name)}</title></path>`] : []), ...bad];
}

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
