import { fmt } from '../util/number-format.js';

import type { TreatReport } from './treat-report.js';
import { esc, page, table, tr } from './html.js';
import { suite } from './junit.js';
import { plainPalette, type Palette } from './palette.js';
import { fitTable, wrapText, type Column } from './fit.js';

/** The remedy table and the verdict paragraph. */
export function renderTreatTerminal(r: TreatReport, opts: { palette?: Palette; quiet?: boolean; width?: number } = {}): string {
  const p = opts.palette ?? plainPalette;
  const W = opts.width ?? Infinity;
  if (opts.quiet || r.rows.length === 0) return `${wrapText(r.verdict, W)}\n`;
  const out = [
    `${p.bold('critic-doctor treat')} ${r.configFile}`,
    p.dim(
      `  seeds ${r.seeds.join(', ')} · baseline ${r.baseline.steps} steps, remedies ${r.remedySteps} steps · ` +
        `causes considered: ${r.causes.join(', ') || '–'}`,
    ),
  ];
  const columns: Column[] = [
    { head: 'remedy' },
    { head: 'outcome' },
    { head: 'cured' },
    { head: 'fails at (median)', short: 'fails at' },
    { head: 'final loss', short: 'loss', drop: 1 },
    { head: r.reference ? 'vs reference' : 'vs ref.', short: 'vs ref.', drop: 2 },
    { head: 'steps/s', drop: 0 },
  ];
  const rows = r.rows.map((row) => {
    const colour = row.outcome === 'cured' ? p.success : row.outcome === 'fails' ? p.error : p.warn;
    return [
      row.remedy,
      colour(row.outcome + (row.farWorseLoss ? ' (loss ≫ ref.)' : '')),
      `${row.cured}/${row.runs}`,
      fmt(row.failStep),
      fmt(row.finalLoss),
      row.rescalesTargets ? 'rescaled' : row.lossVsReference === null ? '–' : `×${fmt(row.lossVsReference)}`,
      fmt(row.stepsPerSecond),
    ];
  });
  out.push(fitTable(columns, rows, W));
  if (r.reference) out.push(p.dim(`  reference: ${r.reference.name}, final loss ${fmt(r.reference.finalLoss)}`));
  out.push(r.verdict);
  return `${wrapText(out.join('\n'), W)}\n`;
}

/** JUnit: one test case per remedy, failing when it does not cure every seed. */
export function renderTreatJunit(r: TreatReport): string {
  return suite(
    `treat ${r.configFile}`,
    r.rows.map((row) => ({
      name: row.remedy,
      classname: 'critic-doctor.treat',
      seconds: 0,
      ...(row.outcome !== 'cured'
        ? { failure: { message: `${row.remedy}: ${row.outcome} (${row.cured}/${row.runs} cured)`, body: row.description } }
        : {}),
      systemOut: `${row.description}; final loss ${fmt(row.finalLoss)}`,
    })),
  );
}

/** Markdown: the table and the verdict. */
export function renderTreatMarkdown(r: TreatReport): string {
  const lines = [
    `### critic-doctor treat: ${r.config.name ?? r.configFile}`,
    '',
    r.verdict,
    '',
    '| remedy | outcome | cured | fails at | final loss | vs reference |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const row of r.rows)
    lines.push(
      `| ${row.remedy} | ${row.outcome} | ${row.cured}/${row.runs} | ${fmt(row.failStep)} | ${fmt(row.finalLoss)} | ` +
        `${row.lossVsReference === null ? '–' : `×${fmt(row.lossVsReference)}`} |`,
    );
  return `${lines.join('\n')}\n`;
}

/** The HTML page of a treatment: verdict and table (self-contained, like the other reports). */
export function renderTreatHtml(r: TreatReport): string {
  const rows = r.rows
    .map((row) => {
      const outcome = `${esc(row.outcome)}${row.farWorseLoss ? ' (loss ≫ reference)' : ''}`;
      const vsRef = row.rescalesTargets ? 'rescaled' : row.lossVsReference === null ? '–' : `×${fmt(row.lossVsReference)}`;
      return tr([esc(row.remedy), outcome, `${row.cured}/${row.runs}`, fmt(row.failStep), fmt(row.finalLoss), vsRef, esc(row.description)]);
    })
    .join('\n');
  const cls = r.best ? 'ok' : r.rows.length ? 'failed' : 'ok';
  return page(
    `critic-doctor treat: ${r.config.name ?? r.configFile}`,
    [
      `<h1>critic-doctor treat: ${esc(r.config.name ?? r.configFile)}</h1>`,
      `<p class="meta">${esc(r.configFile)} · seeds ${r.seeds.join(', ')} · ` +
        `baseline ${r.baseline.steps} steps, remedies ${r.remedySteps} steps</p>`,
      `<div id="verdict" class="verdict ${cls}">${esc(r.verdict)}</div>`,
      table(['remedy', 'outcome', 'cured', 'fails at', 'final loss', 'vs reference', 'what it changes'], rows),
    ].join('\n'),
  );
}
