import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { CompareReport } from '../../src/report/compare-report.js';
import { readReport } from '../../src/report/read-report.js';
import type { RunReport } from '../../src/report/run-report.js';
import type { TreatReport } from '../../src/report/treat-report.js';
import { ROOT } from './cli.js';

/** The committed golden reports (scripts/write-golden.mjs writes them from real runs of shipped configs). */
export const GOLDEN_DIR = path.join(ROOT, 'test/golden');

export const goldenFiles = (): string[] => readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.json'));

export const goldenPath = (name: string): string => path.join(GOLDEN_DIR, `${name}.json`);

/** A golden report, read and checked as `render` reads a saved report. */
export function golden(name: 'run-nan-sgd-relu' | 'run-seed-critic-tanh'): RunReport;
export function golden(name: 'compare-nan-sgd-relu'): CompareReport;
export function golden(name: 'treat-nan-sgd-relu'): TreatReport;
export function golden(name: string): RunReport | CompareReport | TreatReport {
  return readReport(goldenPath(name));
}
