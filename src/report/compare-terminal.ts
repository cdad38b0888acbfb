import type { CompareReport } from './compare-report.js';

import { inactivityText } from './format.js';
import { fmt } from '../util/number-format.js';
import { plainPalette, type Palette } from './palette.js';
import { fitTable, wrapText, type Column } from './fit.js';

/** The comparison table with one row per activation, and the verdict sentence. */
export function renderCompareTerminal(r: CompareReport, opts: { palette?: Palette; quiet?: boolean; width?: number } = {}): string {
  const p = opts.palette ?? plainPalette;
  const W = opts.width ?? Infinity;
  const mark = { failed: p.error('✖'), events: p.warn('!'), findings: p.warn('⚠'), healthy: p.success('✔') }[r.verdict.level];
  const verdict = `${mark} ${r.verdict.sentence}`;
  const failures = r.verdict.failures.map((f) => `  ${p.error(f)}`);
  if (opts.quiet) return `${wrapText([verdict, ...failures].join('\n'), W)}\n`;
  const out: string[] = [];
  out.push(`${p.bold('critic-doctor compare-activations')} ${r.configFile}`);
  out.push(
    p.dim(
      `  layers ${r.layers.join(', ')} · seeds ${r.seeds.join(', ')} · ${r.config.steps} steps each` +
        (r.shard ? ` · shard ${r.shard.index}/${r.shard.count} (${r.cells.length} of ${r.activations.length * r.seeds.length} runs)` : ''),
    ),
  );
  const columns: Column[] = [
    { head: 'activation' },
    { head: 'NaN' },
    { head: 'Inf' },
    { head: 'explosion', short: 'expl.' },
    { head: 'first event: median step', short: 'median step' },
    { head: 'min step', drop: 1 },
    { head: 'most common place', short: 'place', drop: 3 },
    { head: 'max |activation|', short: '|act|', drop: 0 },
    { head: 'final loss (healthy)', short: 'loss', drop: 2 },
    { head: 'dead / saturated (end)', short: 'dead/sat.', drop: 4 },
    { head: 'findings' },
  ];
  const rows = r.rows.map((row) => {
    const n = row.runs;
    return [
      row.activation,
      `${row.nan}/${n}`,
      `${row.inf}/${n}`,
      `${row.explosion}/${n}`,
      fmt(row.eventMedianStep),
      fmt(row.eventMinStep),
      row.commonPlace ?? '–',
      fmt(row.maxAbsActivation),
      fmt(row.healthyFinalLoss),
      inactivityText(row, 'sat.'),
      row.findings.map((f) => `${f.runs}/${n} ${f.label}`).join(', ') || '–',
    ];
  });
  out.push(fitTable(columns, rows, W));
  out.push(verdict);
  out.push(...failures);
  const tm = r.timing;
  out.push(
    p.dim(
      `  wall ${tm.wallSeconds.toFixed(1)} s on ${tm.workers} worker(s); the runs one after another: ${tm.cellSeconds.toFixed(1)} ` +
        `s (speed-up ×${tm.speedup.toFixed(2)})`,
    ),
  );
  return `${wrapText(out.join('\n'), W)}\n`;
}
