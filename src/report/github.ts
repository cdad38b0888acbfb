import path from 'node:path';
import { runSource, type RunReport } from './run-report.js';

/** Workflow-command escaping (GitHub's rules for data and for properties). */
function escData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escProp(s: string): string {
  return escData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * GitHub Actions annotations for a run: `::error` when it failed, `::warning` when it saw trouble
 * below --fail-on, pointing at the config file and the line of the layer where it first showed
 * (the file's first line for loss-phase events). `cwd` makes the path repository-relative.
 */
export function renderRunAnnotations(r: RunReport, cwd: string): string {
  const source = runSource(r);
  const file = (path.isAbsolute(source) ? path.relative(cwd, source) : source).split(path.sep).join('/');
  const lint = (r.lint ?? [])
    .filter((f) => f.severity === 'warning')
    .map(
      (f) =>
        `::warning file=${escProp(file)},line=${f.line ?? 1},title=${escProp(`critic-doctor lint: ${f.rule}`)}::` +
        `${escData(`${f.message} (remedy: ${f.remedy})`)}\n`,
    )
    .join('');
  if (!r.verdict.worst || !r.verdict.event) return lint;
  const e = r.verdict.event;
  const level = r.verdict.failed ? 'error' : 'warning';
  const line = (e.layer && r.layerLines[e.layer]) || 1;
  const title = escProp(`critic-doctor: ${e.kind} in ${e.layer ?? e.phase}`);
  return `::${level} file=${escProp(file)},line=${line},title=${title}::${escData(r.verdict.sentence)}\n${lint}`;
}
