/**
 * critic-doctor's library API: watch your own TensorFlow.js model for the first NaN, Inf or
 * explosion, and render what was found. Everything exported here is kept stable across minor
 * versions; the rest of the package is internal.
 *
 * ```ts
 * import { watchModel, renderHtml } from 'critic-doctor';
 * const watcher = watchModel(model);                       // a compiled tf.LayersModel
 * await model.fit(xs, ys, { callbacks: [watcher.callback] });
 * if (watcher.firstEvents.nan) writeFileSync('nan.html', renderHtml(watcher.report()));
 * watcher.dispose();
 * ```
 */
import { renderReport } from './report/index.js';
import type { RunReport } from './report/run-report.js';
import { renderRunTerminal } from './report/terminal.js';
import { parseReport } from './report/read-report.js';

export { watchModel } from './own-model/watch-model.js';
export type { ModelWatcher } from './own-model/watch-model.js';
export type { WatchModelArgs, WatchedStep } from './own-model/watch-model.js';
export type { RunReport } from './report/run-report.js';
export type { FirstEvent, FirstEvents, EventKind } from './watch/events.js';
export type { Phase } from './watch/watch-points.js';
export type { LayerHealth } from './watch/layer-health.js';

/** A self-contained HTML page (inline CSS and SVG charts) of a run report. */
export function renderHtml(report: RunReport): string {
  return renderReport(report, 'html');
}

/** JUnit XML of a run report: one test case, failing with the verdict when the run failed. */
export function renderJunit(report: RunReport): string {
  return renderReport(report, 'junit');
}

/** A Markdown summary of a run report (what GitHub's step summary shows). */
export function renderMarkdown(report: RunReport): string {
  return renderReport(report, 'markdown');
}

/** The JSON report (NaN and ±Infinity written as strings), as `critic-doctor run --json` writes it. */
export function renderJson(report: RunReport): string {
  return renderReport(report, 'json');
}

/** The terminal summary (plain text, no colours) that `critic-doctor run` prints. */
export function renderText(report: RunReport): string {
  return renderRunTerminal(report);
}

/**
 * A saved JSON run report (`renderJson`, `critic-doctor run --json`) as the report it was: NaN
 * and ±Infinity restored from the strings JSON holds them as, the schema and its version checked
 * (an error names the first field that does not fit).
 */
export function readReport(json: string): RunReport {
  const r = parseReport(json);
  if (r.command !== 'run')
    throw new Error(`readReport: a ${r.command} report, not a run report (renderHtml and the others take run reports)`);
  return r;
}
