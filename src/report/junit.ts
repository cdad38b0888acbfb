import type { CompareReport } from './compare-report.js';
import { rowSentence } from '../diagnose/compare-summary.js';
import { cellFails } from '../diagnose/compare-summary.js';
import { findingText } from './format.js';
import { runName, runSource, type RunReport } from './run-report.js';
import { replicaLine } from '../diagnose/robustness.js';

/** XML text escaping (attributes and text). */
function esc(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export interface Case {
  name: string;
  classname: string;
  seconds: number;
  failure?: { message: string; body: string };
  systemOut?: string;
}

export function suite(name: string, cases: Case[]): string {
  const failures = cases.filter((c) => c.failure).length;
  const time = cases.reduce((s, c) => s + c.seconds, 0).toFixed(3);
  const body = cases
    .map((c) => {
      const inner =
        (c.failure
          ? `\n      <failure message="${esc(c.failure.message)}" type="${esc('critic-doctor')}">${esc(c.failure.body)}</failure>`
          : '') + (c.systemOut ? `\n      <system-out>${esc(c.systemOut)}</system-out>` : '');
      const attrs = `name="${esc(c.name)}" classname="${esc(c.classname)}" time="${c.seconds.toFixed(3)}"`;
      return `    <testcase ${attrs}>${inner}${inner ? '\n    ' : ''}</testcase>`;
    })
    .join('\n');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="critic-doctor" tests="${cases.length}" failures="${failures}" ` +
    `errors="0" time="${time}">\n` +
    `  <testsuite name="${esc(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0" ` +
    `time="${time}">\n${body}\n  </testsuite>\n</testsuites>\n`
  );
}

/** JUnit XML for a comparison: one test case per activation × seed; a case fails as the verdict decides. */
export function renderCompareJunit(r: CompareReport): string {
  const level = r.verdict.failOn;
  const checked = r.expectHealthy.length ? new Set<string>(r.expectHealthy) : null;
  const cases: Case[] = r.cells.map((c) => {
    const fails = level !== null && (!checked || checked.has(c.variant)) && cellFails(c, level);
    const e = c.worst ? c.firstEvents[c.worst] : null;
    const what = e ? `${c.worst} at step ${e.step}: ${e.layer ?? '-'}, ${e.phase}, ${e.tensor}` : `healthy for ${c.stepsRun} steps`;
    return {
      name: `${c.variant} seed ${c.seed}`,
      classname: `compare-activations.${c.variant}`,
      seconds: c.seconds,
      ...(fails ? { failure: { message: what, body: rowSentence(r.rows.find((x) => x.activation === c.variant)!) } } : {}),
      systemOut: what,
    };
  });
  return suite(`compare-activations ${r.configFile}`, cases);
}

/** JUnit XML for one run: one test case, failing with the verdict. */
export function renderRunJunit(r: RunReport, table: string): string {
  return suite(`run ${runSource(r)}`, [
    {
      name: runName(r),
      classname: 'critic-doctor.run',
      seconds: r.timing.seconds,
      ...(r.verdict.failed ? { failure: { message: r.verdict.sentence, body: table } } : {}),
      systemOut: [
        ...(r.robustness ? [`robustness: ${r.robustness.sentence}\nreplicas: ${replicaLine(r.robustness)}\n`] : []),
        ...(r.findings.length ? [`${r.findings.map((f) => `finding: ${findingText(f)}`).join('\n')}\n`] : []),
        table,
      ].join('\n'),
    },
  ]);
}
