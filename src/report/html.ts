import { stringify } from 'yaml';
import type { CompareReport } from './compare-report.js';

import type { FirstEvent } from '../watch/events.js';
import type { HistoryPoint } from '../watch/history.js';
import type { LayerHealth } from '../watch/layer-health.js';
import { runExplosionThreshold, runLayers, runName, runSource, seedText, stepsText, type RunReport } from './run-report.js';
import { replicaLine } from '../diagnose/robustness.js';
import { LAYER_COLUMNS, findingText, inactivityText } from './format.js';
import { fmt } from '../util/number-format.js';
import { PALETTE, renderChart, type ChartSeries } from './svg-chart.js';

export function esc(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;
margin:24px auto;max-width:1180px;color:#1d1d1f;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}.meta{color:#666}
.verdict{font-size:16px;font-weight:600;padding:12px 16px;border-radius:8px;margin:16px 0}
.verdict.failed{background:#fdecea;border:1px solid #f5b7b1;color:#922b21}
.verdict.warn{background:#fef5e7;border:1px solid #f8c471;color:#7e5109}
.verdict.ok{background:#eafaf1;border:1px solid #a9dfbf;color:#1e8449}
table{border-collapse:collapse;margin:6px 0;font-size:13px}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}
th{background:#f6f6f6}
td:first-child,th:first-child{text-align:left}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:12px}
.chart .plot{fill:#fff;stroke:#ccc}
.chart .grid{stroke:#eee}
.chart .tick{font-size:10px;fill:#666}
.chart .axis-label{font-size:11px;fill:#444}
.chart .chart-title{font-size:13px;font-weight:600}
.chart .line{fill:none;stroke-width:1.6}
.chart .threshold{stroke:#e67e22;stroke-dasharray:5 4}
.chart .marker{stroke-dasharray:2 3;stroke-width:1.2}
.chart .marker-label{font-size:10px}
.chart .nonfinite{fill:#c0392b;font-size:13px;font-weight:700}
.chart .legend{font-size:11px}
pre{background:#f6f6f6;padding:12px;border-radius:6px;overflow:auto;font-size:12px}`;

/** Sets data attributes a headless browser test reads: how many charts have drawn lines, whether the verdict shows. */
const CHECK_SCRIPT = [
  "addEventListener('load',function(){var n=0;",
  "document.querySelectorAll('svg.chart').forEach(function(s){var p=s.querySelector('path.line');",
  'if(p&&p.getTotalLength()>0&&s.getBoundingClientRect().width>0)n++});',
  "document.body.setAttribute('data-charts-drawn',String(n));",
  "var v=document.getElementById('verdict'),r=v&&v.getBoundingClientRect(),st=v&&getComputedStyle(v);",
  "document.body.setAttribute('data-verdict-visible',String(!!(r&&r.height>0&&st.visibility==='visible'&&st.display!=='none')))});",
].join('');

/** A table of already-escaped header names and rows (`tr`). */
export function table(headers: string[], rows: string): string {
  return `<table><thead><tr>${headers.map((h) => `<th>${h}</th>`).join('')}</tr></thead>\n<tbody>\n${rows}\n</tbody></table>`;
}

/** A table row of already-escaped cells. */
export function tr(cells: (string | number)[]): string {
  return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

export function page(title: string, body: string): string {
  const head = `<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>${esc(title)}</title>`;
  return (
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n${head}\n<style>${CSS}</style>\n</head>\n` +
    `<body>\n${body}\n<script>${CHECK_SCRIPT}</script>\n</body>\n</html>\n`
  );
}

const EVENT_COLOR = { nan: '#c0392b', inf: '#8e44ad', explosion: '#e67e22' } as const;
const EVENT_LABEL = { nan: 'first NaN', inf: 'first Inf', explosion: 'first explosion' } as const;

function layerSeries(points: HistoryPoint[], layers: string[], pick: (l: LayerHealth) => number | null): ChartSeries[] {
  return layers.map((name, i) => ({
    name,
    color: PALETTE[i % PALETTE.length]!,
    points: points.flatMap((p) => {
      const l = p.layers.find((x) => x.layer === name);
      const y = l ? pick(l) : null;
      return y === null ? [] : [{ x: p.step, y }];
    }),
  }));
}

function layerTable(snap: HistoryPoint, r: RunReport): string {
  const rows = snap.layers
    .map((l) => {
      const act = runLayers(r).find((x) => x.name === l.layer)?.activation ?? '';
      const inactive = inactivityText(l, 'saturated');
      const numbers = [l.maxAbsXV, l.maxAbsPre, l.maxAbsActivation, l.gradNorm, l.normV, l.maxAbsG].map(fmt);
      return tr([esc(l.layer), esc(act), ...numbers, inactive, l.nonFinite]);
    })
    .join('\n');
  return table([...LAYER_COLUMNS], rows) + `\n<p class="meta">loss ${fmt(snap.loss)} · max |target| ${fmt(snap.maxAbsTarget)}</p>`;
}

/** The self-contained HTML report of one run (no network: inline CSS and SVG). A pure function of the report. */
export function renderRunHtml(r: RunReport): string {
  const events = (['explosion', 'inf', 'nan'] as const).map((k) => r.firstEvents[k]).filter((e): e is FirstEvent => e !== null);
  const charts = runCharts(r, events);
  const cls = r.verdict.failed ? 'failed' : r.verdict.worst || r.findings.length ? 'warn' : 'ok';
  const eventRows = events
    .map((e) =>
      tr([
        EVENT_LABEL[e.kind],
        e.step,
        esc(e.layer ?? '–'),
        e.phase,
        esc(e.tensor),
        `${e.count}/${e.size}`,
        fmt(e.maxAbs),
        fmt(e.previousMaxAbs),
      ]),
    )
    .join('\n');
  const tables: string[] = [];
  if (r.verdict.worst) {
    const failing = r.tables[r.verdict.worst];
    if (r.tables.lastHealthy)
      tables.push(`<h2>Per-layer health at step ${r.tables.lastHealthy.step} (last healthy)</h2>\n${layerTable(r.tables.lastHealthy, r)}`);
    if (failing)
      tables.push(`<h2>Per-layer health at step ${failing.step} (${EVENT_LABEL[r.verdict.worst]})</h2>\n${layerTable(failing, r)}`);
  } else if (r.tables.last) {
    tables.push(`<h2>Per-layer health at the last step (${r.tables.last.step})</h2>\n${layerTable(r.tables.last, r)}`);
  }
  const body = [
    !r.config ? `<h1>${esc(runSource(r))}</h1>` : `<h1>critic-doctor run: ${esc(runName(r))}</h1>`,
    `<p class="meta">${esc(runSource(r))} · backend ${esc(r.environment.backend)} (tfjs ${esc(r.environment.tfjsVersion)})` +
      `${seedText(r)} · ${stepsText(r)} (${r.status}) · critic-doctor ${esc(r.tool.version)}</p>`,
    r.graph ? `<p class="meta" id="graph">model: ${esc(r.graph)}</p>` : '',
    `<div id="verdict" class="verdict ${cls}">${esc(r.verdict.sentence)}</div>`,
    r.robustness
      ? `<h2>Robustness</h2>\n<p id="robustness" class="robustness-${r.robustness.class}">${esc(r.robustness.sentence)}</p>\n` +
        `<p class="meta">${esc(replicaLine(r.robustness))}<br>${esc(r.robustness.perturbation)}</p>`
      : '',
    r.exactOp
      ? `<h2>Exact op</h2>\n<p>${esc(r.exactOp.description)} <span class="meta">(step ${r.exactOp.step} replayed from the state ` +
        `before it${r.exactOp.reproduced ? ', reproduced bit for bit' : ''})</span></p>`
      : '',
    r.findings.length
      ? '<h2>Findings (silent failures)</h2>\n' +
        `<ul class="findings">${r.findings.map((f) => `<li>${esc(findingText(f))}</li>`).join('')}</ul>`
      : '',
    r.causalChain
      ? `<h2>How it got there</h2>\n<ul class="chain">${r.causalChain.lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`
      : '',
    events.length
      ? '<h2>First events</h2>\n' +
        table(['event', 'step', 'layer', 'phase', 'tensor', 'bad entries', 'max |x|', 'max |x| step before'], eventRows)
      : '',
    `<h2>Over training</h2>\n<p class="meta">One point every ${r.history.every} step(s); NaN/Inf points are drawn as red ✕ on the ` +
      `top edge; log scale.</p>\n<div class="charts">\n${charts.join('\n')}\n</div>`,
    ...tables,
    `<h2>Data</h2>\n<p>${esc(r.data)}</p>`,
    r.settingsFrom?.length
      ? `<h2>Settings from the model file</h2>\n<ul>${r.settingsFrom.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`
      : '',
    r.config ? `<h2>Config (resolved)</h2>\n<pre>${esc(stringify(r.config))}</pre>` : '',
  ].filter(Boolean);
  return page(`critic-doctor: ${r.verdict.sentence}`, body.join('\n'));
}

/** The run's charts over steps: per layer max |activation|, gradient norm, ‖V‖, max |g|; the loss and max |target|. */
function runCharts(r: RunReport, events: FirstEvent[]): string[] {
  const points = r.history.points;
  const layers = runLayers(r).map((l) => l.name);
  const markers = events.map((e) => ({ x: e.step, label: `${EVENT_LABEL[e.kind]} (${e.step})`, color: EVENT_COLOR[e.kind] }));
  const thr = runExplosionThreshold(r);
  const hline = { y: thr, label: `explosion threshold ${fmt(thr)}` };
  const charts = [
    renderChart({ title: 'max |activation| per layer', series: layerSeries(points, layers, (l) => l.maxAbsActivation), markers, hline }),
    renderChart({
      title: 'gradient norm ‖∂loss/∂(V,g,b)‖ per layer',
      series: layerSeries(points, layers, (l) => l.gradNorm),
      markers,
      hline,
    }),
    renderChart({ title: 'parameter norm ‖V‖ per layer', series: layerSeries(points, layers, (l) => l.normV), markers }),
    renderChart({ title: 'max |g| per layer', series: layerSeries(points, layers, (l) => l.maxAbsG), markers }),
    renderChart({
      title: 'loss',
      series: [
        { name: 'loss', color: PALETTE[0]!, points: points.map((p) => ({ x: p.step, y: p.loss })) },
        {
          name: 'max |target|',
          color: PALETTE[1]!,
          points: points.flatMap((p) => (p.maxAbsTarget === null ? [] : [{ x: p.step, y: p.maxAbsTarget }])),
        },
      ],
      markers,
    }),
  ];
  return charts;
}

/** The HTML report of a comparison: the table, and one chart per metric with one colour per activation. */
export function renderCompareHtml(r: CompareReport): string {
  const color = (a: string) => PALETTE[r.activations.indexOf(a as never) % PALETTE.length]!;
  const seriesOf = (pick: (p: CompareReport['cells'][number]['series'][number]) => number) =>
    r.cells.map((c) => ({
      name: `${c.variant} s${c.seed}`,
      color: color(c.variant),
      points: c.series.map((p) => ({ x: p.step, y: pick(p) })),
    }));
  const thr = r.config.watch.explosionThreshold;
  const charts = [
    renderChart({
      title: 'max |activation| (any layer)',
      series: seriesOf((p) => p.maxAbsActivation),
      hline: { y: thr, label: `threshold ${fmt(thr)}` },
    }),
    renderChart({
      title: 'max gradient norm (any layer)',
      series: seriesOf((p) => p.maxGradNorm),
      hline: { y: thr, label: `threshold ${fmt(thr)}` },
    }),
    renderChart({ title: 'loss', series: seriesOf((p) => p.loss) }),
  ];
  const rows = r.rows
    .map((x) => {
      const inactive = inactivityText(x, 'saturated');
      const name = `<span style="color:${color(x.activation)}">■</span> ${esc(x.activation)}`;
      const counts = [x.nan, x.inf, x.explosion].map((k) => `${k}/${x.runs}`);
      const steps = [fmt(x.eventMedianStep), fmt(x.eventMinStep)];
      return tr([name, ...counts, ...steps, esc(x.commonPlace ?? '–'), fmt(x.maxAbsActivation), fmt(x.healthyFinalLoss), inactive]);
    })
    .join('\n');
  const cls = { failed: 'failed', events: 'warn', findings: 'warn', healthy: 'ok' }[r.verdict.level];
  const body = [
    `<h1>critic-doctor compare-activations: ${esc(r.config.name ?? r.configFile)}</h1>`,
    `<p class="meta">${esc(r.configFile)} · layers ${esc(r.layers.join(', '))} · seeds ${r.seeds.join(', ')} · ${r.config.steps} ` +
      `steps each${r.shard ? ` · shard ${r.shard.index}/${r.shard.count}` : ''}</p>`,
    `<div id="verdict" class="verdict ${cls}">${esc(r.verdict.sentence)}${r.verdict.failures.map((f) => `<br>${esc(f)}`).join('')}</div>`,
    table(
      [
        'activation',
        'NaN',
        'Inf',
        'explosion',
        'median step',
        'min step',
        'most common place',
        'max |activation|',
        'final loss (healthy)',
        'dead / saturated',
      ],
      rows,
    ),
    `<h2>Over training</h2>\n<p class="meta">One line per run, coloured by activation; NaN/Inf points are red ✕ on the top edge; ` +
      `log scale.</p>\n<div class="charts">\n${charts.join('\n')}\n</div>`,
    `<h2>Base config</h2>\n<pre>${esc(stringify(r.config))}</pre>`,
  ];
  return page(`critic-doctor compare-activations: ${r.verdict.sentence}`, body.join('\n'));
}
