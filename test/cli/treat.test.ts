import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromJson } from '../../src/report/json.js';
import type { TreatReport } from '../../src/report/treat-report.js';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const tmp = () => tempDir('cd-treat-');

describe('critic-doctor treat', () => {
  it('on nan-sgd-relu: g-0.1 cures, He init and b = 0 do not; --write-fixed writes a config that runs healthy', async () => {
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
    // Measured (wasm): He init fails earlier than the baseline, b = 0 a step later; only g = 0.1 cures.
    expect(rep.rows.map((x) => [x.remedy, x.outcome, x.failStep])).toEqual([
      ['g-0.1', 'cured', null],
      ['he-init', 'fails', 93],
      ['bias-0', 'fails', 118],
    ]);
    expect(rep.best).toBe('g-0.1');
    // The fixed config, run as it is written (its own steps), is healthy.
    expect(rep.best).not.toBeNull();
    expect(readFileSync(fixed, 'utf8')).toMatch(/^# Written by critic-doctor treat from configs\/nan-sgd-relu.yaml: remedy /);
    const healthy = await cli(['run', fixed, '--steps', String(rep.remedySteps), '-q']);
    expect(healthy.code).toBe(0);
    expect(readFileSync(path.join(dir, 't.xml'), 'utf8').match(/<testcase /g)).toHaveLength(3);
  }, 300_000);

  it('on seed-critic-relu (an explosion): the seed answer put to the test', async () => {
    const dir = tmp();
    const out = path.join(dir, 't.json');
    const r = await cli([
      'treat',
      'configs/seed-critic-relu.yaml',
      '--remedies',
      'he-init',
      '--seed-list',
      '0',
      '--steps',
      '2000',
      '--json',
      out,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1); // remedies tried, none cured
    const rep = fromJson<TreatReport>(readFileSync(out, 'utf8'));
    expect(rep.baseline).toMatchObject({ failed: 1, runs: 1, steps: 2000 });
    expect(rep.remedySteps).toBe(2 * rep.baseline.failStep! + 2);
    // Measured (wasm): the accepted answer's He init fails later, but fails: no cure among the remedies tried.
    // (γ = 0.99 cures it, batch norm avoids it with a far worse loss: docs/compare-and-treat.md; not retrained here.)
    expect(rep.rows.map((x) => [x.remedy, x.outcome])).toEqual([['he-init', 'fails']]);
    expect(rep.rows[0]!.failStep).toBeGreaterThan(rep.baseline.failStep!);
    expect(rep.best).toBeNull();
    expect(rep.reference!.finalLoss).toBeGreaterThan(0);
    expect(rep.verdict).toMatch(/No remedy cured every seed\. The seed answer's remedies — he-init: fails \(fails at step ~\d+\);/);
    expect(rep.verdict).toContain('batch-norm: not tried (--remedies)');
  }, 400_000);

  it('--target finding on seed-critic-tanh: remedies ranked by whether they remove the saturation', async () => {
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
    // normalize-states removes the cause (1000-scale states): the diagnosis names it.
    expect(rep.causes).toContain('scale');
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
