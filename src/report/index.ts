import type { CompareReport } from './compare-report.js';
import { renderCompareHtml, renderRunHtml } from './html.js';
import { toJson } from './json.js';
import { renderCompareJunit, renderRunJunit } from './junit.js';
import { renderCompareMarkdown, renderRunMarkdown } from './markdown.js';
import type { RunReport } from './run-report.js';
import { renderRunTerminal } from './terminal.js';
import type { TreatReport } from './treat-report.js';
import { renderTreatHtml, renderTreatJunit, renderTreatMarkdown } from './treat-render.js';

export type FileFormat = 'json' | 'html' | 'markdown' | 'junit';
export const FILE_FORMATS: readonly FileFormat[] = ['json', 'html', 'markdown', 'junit'];

/** Reporters for file outputs, keyed by report kind and format: each only formats (knip's record of reporters). */
export const runReporters: Record<FileFormat, (r: RunReport) => string> = {
  json: toJson,
  html: renderRunHtml,
  markdown: renderRunMarkdown,
  junit: (r) => renderRunJunit(r, renderRunTerminal(r)),
};

export const compareReporters: Record<FileFormat, (r: CompareReport) => string> = {
  json: toJson,
  html: renderCompareHtml,
  markdown: renderCompareMarkdown,
  junit: renderCompareJunit,
};

export const treatReporters: Record<FileFormat, (r: TreatReport) => string> = {
  json: toJson,
  html: renderTreatHtml,
  markdown: renderTreatMarkdown,
  junit: renderTreatJunit,
};

export type AnyReport = RunReport | CompareReport | TreatReport;

/** Formats any report (run, comparison or treatment) in one of the file formats. */
export function renderReport(r: AnyReport, format: FileFormat): string {
  switch (r.command) {
    case 'run':
      return runReporters[format](r);
    case 'compare-activations':
      return compareReporters[format](r);
    case 'treat':
      return treatReporters[format](r);
  }
}
