import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfigFile } from '../../src/config/load-config.js';
import { fromJson } from '../../src/report/json.js';
import type { RunReport } from '../../src/report/run-report.js';
import type { Config } from '../../src/config/schema.js';
import type { TreatReport } from '../../src/report/treat-report.js';
import { getRemedy } from '../../src/diagnose/remedies.js';
import { cli } from '../helpers/cli.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'cd-treat-'));

/** A lone `run` of one remedy's variant of `base` at seed 0 and the treatment's steps: its exit code and JSON report. */
async function loneRun(dir: string, base: Config, remedy: string, steps: number): Promise<{ code: number; report: RunReport }> {
  const f = path.join(dir, `${remedy}.yaml`);
  writeFileSync(f, stringify({ ...getRemedy(remedy)!.transform(base), steps, seed: 0 }));
  const alone = path.join(dir, `${remedy}.json`);
  const run = await cli(['run', f, '--json', alone, '-q']);
  return { code: run.code, report: fromJson<RunReport>(readFileSync(alone, 'utf8')) };
}

describe('critic-doctor treat', () => {
  it('on nan-sgd-relu: a table from real runs that individual runs of the written variants confirm; --write-fixed is healthy', async () => {
    const dir = tmp();
    const out = path.join(dir, 't.json');
    const fixed = path.join(dir, 'fixed.yaml');
    const r = await cli([
      'treat',
      'configs/nan-sgd-relu.yaml',
      '--remedies',
      'he-init,g-0.1,bias-0',
      '--seed-list',
      '0',
      '--steps',
      '300',
      '--json',
      out,
      '--write-fixed',
      fixed,
      '--junit',
      path.join(dir, 't.xml'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rep = fromJson<TreatReport>(readFileSync(out, 'utf8'));
    expect(rep.baseline).toMatchObject({ failed: 1, runs: 1 });
    expect(rep.remedySteps).toBeGreaterThanOrEqual(2 * rep.baseline.failStep!);
    expect(rep.verdict).toMatch(/The seed answer's remedies — he-init: /);
    // Each row against a lone `run` of its variant, at the same seed and steps.
    const base = loadConfigFile('configs/nan-sgd-relu.yaml').config;
    for (const row of rep.rows) {
      const { code, report: single } = await loneRun(dir, base, row.remedy, rep.remedySteps);
      expect(code === 0, row.remedy).toBe(row.cured === 1);
      const cell = rep.cells.find((c) => c.variant === row.remedy)!;
      expect(single.firstEvents).toEqual(cell.firstEvents);
    }
    // The fixed config, run as it is written (its own steps), is healthy.
    expect(rep.best).not.toBeNull();
    expect(readFileSync(fixed, 'utf8')).toMatch(/^# Written by critic-doctor treat from configs\/nan-sgd-relu.yaml: remedy /);
    const healthy = await cli(['run', fixed, '--steps', String(rep.remedySteps), '-q']);
    expect(healthy.code).toBe(0);
    expect(readFileSync(path.join(dir, 't.xml'), 'utf8').match(/<testcase /g)).toHaveLength(3);
  }, 300_000);

  it('on seed-critic-relu (an explosion): the seed answer put to the test, the table confirmed by lone runs', async () => {
    const dir = tmp();
    const out = path.join(dir, 't.json');
    const r = await cli([
      'treat',
      'configs/seed-critic-relu.yaml',
      '--remedies',
      'he-init,batch-norm,gamma-0.99',
      '--seed-list',
      '0',
      '--steps',
      '2000',
      '--json',
      out,
    ]);
    expect(r.stderr).toBe('');
    const rep = fromJson<TreatReport>(readFileSync(out, 'utf8'));
    expect(rep.baseline.failed).toBe(1);
    expect(rep.verdict).toMatch(/he-init: \w+/);
    expect(rep.verdict).toMatch(/batch-norm: \w+/);
    const base = loadConfigFile('configs/seed-critic-relu.yaml').config;
    for (const row of rep.rows) {
      const { report: single } = await loneRun(dir, base, row.remedy, rep.remedySteps);
      expect(single.firstEvents, row.remedy).toEqual(rep.cells.find((c) => c.variant === row.remedy)!.firstEvents);
    }
  }, 400_000);

  it('--target finding on seed-critic-tanh: remedies ranked by whether they remove the saturation, confirmed by lone runs', async () => {
    const dir = tmp();
    const out = path.join(dir, 't.json');
    const r = await cli([
      'treat',
      'configs/seed-critic-tanh.yaml',
      '--target',
      'finding',
      '--remedies',
      'normalize-states,g-0.1',
      '--seed-list',
      '0',
      '--steps',
      '1000',
      '--json',
      out,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rep = fromJson<TreatReport>(readFileSync(out, 'utf8'));
    expect(rep.target).toBe('finding');
    expect(rep.targetFindings).toContain('l3 saturated');
    expect(rep.rows.map((x) => [x.remedy, x.outcome])).toEqual([
      ['normalize-states', 'cured'],
      ['g-0.1', 'fails'],
    ]);
    const base = loadConfigFile('configs/seed-critic-tanh.yaml').config;
    for (const row of rep.rows) {
      const { report: single } = await loneRun(dir, base, row.remedy, rep.remedySteps);
      const saturated = single.findings.some((x) => x.rule === 'saturated-layer' && x.layer === 'l3');
      expect(saturated, row.remedy).toBe(row.outcome !== 'cured');
    }
  }, 300_000);

  it('a baseline that does not fail: says so and exits 0', async () => {
    const r = await cli(['treat', 'configs/nan-sgd-tanh.yaml', '--seeds', '1', '--steps', '100']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/The baseline does not fail .* nothing to treat/);
  });

  it('--combine 2 adds every pair; every report format; render reproduces each byte for byte from the JSON', async () => {
    const dir = tmp();
    const out = path.join(dir, 't.json');
    const files = { html: path.join(dir, 't.html'), markdown: path.join(dir, 't.md'), junit: path.join(dir, 't.xml') };
    const r = await cli([
      'treat',
      'configs/nan-sgd-relu.yaml',
      '--remedies',
      'g-0.1,lr-div10',
      '--combine',
      '2',
      '--seed-list',
      '0',
      '--steps',
      '300',
      '--json',
      out,
      '--html',
      files.html,
      '--markdown',
      files.markdown,
      '--junit',
      files.junit,
    ]);
    expect(r.code).toBe(0);
    const rep = fromJson<TreatReport>(readFileSync(out, 'utf8'));
    expect(rep.status).toBe('completed');
    expect(rep.rows.map((x) => x.remedy).sort()).toEqual(['g-0.1', 'g-0.1+lr-div10', 'lr-div10']);
    expect(readFileSync(files.html, 'utf8')).toContain('<td>g-0.1+lr-div10</td>');
    expect(readFileSync(files.markdown, 'utf8')).toContain('| g-0.1+lr-div10 |');
    const again = {
      json: path.join(dir, 'r.json'),
      html: path.join(dir, 'r.html'),
      markdown: path.join(dir, 'r.md'),
      junit: path.join(dir, 'r.xml'),
    };
    const rr = await cli(['render', out, '--json', again.json, '--html', again.html, '--markdown', again.markdown, '--junit', again.junit]);
    expect(rr.stderr).toBe('');
    expect(rr.code).toBe(0);
    expect(readFileSync(again.json, 'utf8')).toBe(readFileSync(out, 'utf8'));
    for (const k of ['html', 'markdown', 'junit'] as const) expect(readFileSync(again[k], 'utf8'), k).toBe(readFileSync(files[k], 'utf8'));
  });

  it('an unknown remedy is refused with the list', async () => {
    const r = await cli(['treat', 'configs/nan-sgd-relu.yaml', '--remedies', 'prayer']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown remedy "prayer"; valid: he-init');
  });
});
