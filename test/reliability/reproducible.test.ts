import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { fromJson } from '../../src/report/json.js';
import type { RunReport } from '../../src/report/run-report.js';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

it('same config + seed + backend → identical JSON report over three runs (timestamps and timings aside)', async () => {
  const dir = tempDir('cd-rep3-');
  const reports: string[] = [];
  for (const i of [1, 2, 3]) {
    const out = path.join(dir, `r${i}.json`);
    const r = await cli(['run', 'configs/nan-sgd-relu.yaml', '--backend', 'wasm', '--json', out, '-q']);
    expect(r.code).toBe(1);
    const rep = fromJson<RunReport>(readFileSync(out, 'utf8'));
    // The report says what made it.
    expect(rep.tool.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(rep.environment).toMatchObject({ backend: 'wasm', tfjsVersion: '4.22.0', node: process.version });
    expect(rep.configHash).toMatch(/^[0-9a-f]{64}$/);
    reports.push(JSON.stringify({ ...rep, timing: null, startedAt: null }));
  }
  expect(reports[1]).toBe(reports[0]);
  expect(reports[2]).toBe(reports[0]);
});
