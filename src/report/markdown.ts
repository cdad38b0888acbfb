import type { CompareReport } from './compare-report.js';
import { findingText } from './format.js';
import { fmt } from '../util/number-format.js';

import type { FirstEvent } from '../watch/events.js';
import { runName, runSource, seedText, stepsText, type RunReport } from './run-report.js';
import { replicaLine } from '../diagnose/robustness.js';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** A Markdown summary of a run (for $GITHUB_STEP_SUMMARY, PR comments, --markdown). */
export function renderRunMarkdown(r: RunReport): string {
  const icon = r.verdict.failed ? '❌' : r.verdict.worst || r.findings.length ? '⚠️' : '✅';
  const lines = [
    `### ${icon} ${r.config ? `critic-doctor run: ${cell(runName(r))}` : cell(runSource(r))}`,
    '',
    `**${cell(r.verdict.sentence)}**`,
    '',
    `\`${runSource(r)}\` · backend ${r.environment.backend}${seedText(r)} · ${stepsText(r)} (${r.status})`,
    ...(r.graph ? ['', `model: ${cell(r.graph)}`] : []),
  ];
  if (r.robustness)
    lines.push(
      '',
      `**Robustness** (${r.robustness.replicas} replicas): ${cell(r.robustness.sentence)}`,
      '',
      cell(replicaLine(r.robustness)),
    );
  if (r.findings.length) lines.push('', '**Findings** (silent failures):', ...r.findings.map((f) => `- ⚠️ ${cell(findingText(f))}`));
  if (r.causalChain) lines.push('', ...r.causalChain.lines.map((l) => `- ${cell(l)}`));
  if (r.exactOp) lines.push('', `Exact op: ${cell(r.exactOp.description)}`);
  const events = (['explosion', 'inf', 'nan'] as const).map((k) => r.firstEvents[k]).filter((e): e is FirstEvent => e !== null);
  if (events.length) {
    lines.push(
      '',
      '| event | step | layer | phase | tensor | bad entries | max \\|x\\| | step before |',
      '| --- | ---: | --- | --- | --- | ---: | ---: | ---: |',
    );
    for (const e of events)
      lines.push(
        `| ${e.kind} | ${e.step} | ${cell(e.layer ?? '–')} | ${e.phase} | ${cell(e.tensor)} | ${e.count}/${e.size} | ` +
          `${fmt(e.maxAbs)} | ${fmt(e.previousMaxAbs)} |`,
      );
  }
  const snap = r.verdict.worst ? r.tables[r.verdict.worst] : r.tables.last;
  if (snap) {
    lines.push(
      '',
      `Per-layer health at step ${snap.step}:`,
      '',
      '| layer | max \\|act\\| | ‖∂loss/∂θ‖ | ‖V‖ | max \\|g\\| | NaN+Inf |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const l of snap.layers)
      lines.push(
        `| ${cell(l.layer)} | ${fmt(l.maxAbsActivation)} | ${fmt(l.gradNorm)} | ${fmt(l.normV)} | ${fmt(l.maxAbsG)} | ${l.nonFinite} |`,
      );
  }
  return `${lines.join('\n')}\n`;
}

/** A Markdown summary of a comparison. */
export function renderCompareMarkdown(r: CompareReport): string {
  const icon = { failed: '❌', events: '⚠️', findings: '⚠️', healthy: '✅' }[r.verdict.level];
  const lines = [
    `### ${icon} critic-doctor compare-activations: ${cell(r.config.name ?? r.configFile)}`,
    '',
    `**${cell(r.verdict.sentence)}**`,
    ...r.verdict.failures.map((f) => `- ${cell(f)}`),
    '',
    '| activation | NaN | Inf | explosion | median step | most common place | max \\|activation\\| | final loss (healthy) |',
    '| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
    ...r.rows.map(
      (x) =>
        `| ${x.activation} | ${x.nan}/${x.runs} | ${x.inf}/${x.runs} | ${x.explosion}/${x.runs} | ${fmt(x.eventMedianStep)} | ` +
        `${cell(x.commonPlace ?? '–')} | ${fmt(x.maxAbsActivation)} | ${fmt(x.healthyFinalLoss)} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
