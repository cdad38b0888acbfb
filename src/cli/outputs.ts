import { appendFileSync } from 'node:fs';
import { renderReport, type AnyReport, type FileFormat } from '../report/index.js';
import { renderRunAnnotations } from '../report/github.js';
import { writeOutputFile } from './write-output.js';

export type OutputOptions = Partial<Record<FileFormat, string>>;

/**
 * Writes every requested report file (whole or not at all), then what CI systems read:
 * GitHub annotations on stdout when GITHUB_ACTIONS=true, and the Markdown summary appended to
 * $GITHUB_STEP_SUMMARY when set.
 */
export function emitOutputs(report: AnyReport, opts: OutputOptions, env: NodeJS.ProcessEnv = process.env): void {
  for (const format of ['json', 'html', 'markdown', 'junit'] as const) {
    const file = opts[format];
    if (file) writeOutputFile(file, renderReport(report, format));
  }
  if (env.GITHUB_ACTIONS === 'true' && report.command === 'run') process.stdout.write(renderRunAnnotations(report, process.cwd()));
  if (env.GITHUB_ACTIONS === 'true' && report.command === 'compare-activations' && report.verdict.failed) {
    process.stdout.write(`::error title=critic-doctor compare-activations::${report.verdict.failures.join('; ').replace(/\n/g, ' ')}\n`);
  }
  if (env.GITHUB_ACTIONS === 'true' && report.command === 'treat' && report.rows.length > 0 && !report.best) {
    process.stdout.write(`::error title=critic-doctor treat::${report.verdict.replace(/\n/g, ' ')}\n`);
  }
  if (env.GITHUB_STEP_SUMMARY) {
    try {
      appendFileSync(env.GITHUB_STEP_SUMMARY, `${renderReport(report, 'markdown')}\n`);
    } catch {
      // The summary is a courtesy; a missing or read-only file must not fail the diagnosis.
    }
  }
}
