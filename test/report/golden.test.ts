import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load-config.js';
import { toJson } from '../../src/report/json.js';
import { readReport } from '../../src/report/read-report.js';
import { REPORT_SCHEMA_VERSION } from '../../src/report/report-header.js';
import { ROOT } from '../helpers/cli.js';
import { GOLDEN_DIR, goldenFiles } from '../helpers/golden.js';

describe('the golden reports (test/golden/, written by `npm run golden`)', () => {
  it('are all there', () => {
    expect(goldenFiles().sort()).toEqual([
      'compare-nan-sgd-relu.json',
      'run-nan-sgd-relu.json',
      'run-seed-critic-tanh.json',
      'treat-nan-sgd-relu.json',
    ]);
  });

  for (const file of goldenFiles()) {
    it(`${file} is current: this schema version, its config unchanged since, and it survives a JSON round trip byte for byte`, () => {
      const text = readFileSync(path.join(GOLDEN_DIR, file), 'utf8');
      const stale = `${file} is stale: run \`npm run golden\` and commit the result`;
      expect((JSON.parse(text) as { schemaVersion: number }).schemaVersion, stale).toBe(REPORT_SCHEMA_VERSION);
      const report = readReport(path.join(GOLDEN_DIR, file));
      expect(report.configHash, stale).toBe(loadConfigFile(path.join(ROOT, report.configFile!)).hash);
      // NaN, ±Inf and every field come back as they were written (what `render` relies on).
      expect(toJson(report)).toBe(text);
    });
  }
});
