import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CompareReport } from '../../src/report/compare-report.js';
import { fromJson } from '../../src/report/json.js';
import type { RunReport } from '../../src/report/run-report.js';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const tmp = () => tempDir('cd-cmp-');
const CONFIG = 'configs/seed-critic-tanh.yaml';

describe('critic-doctor compare-activations', () => {
  it('on the seed tanh config: relu explodes (first in l4 backward), tanh stays finite but saturated (elu: shipped-configs)', async () => {
    const dir = tmp();
    const out = path.join(dir, 'cmp.json');
    const junit = path.join(dir, 'cmp.xml');
    const r = await cli([
      'compare-activations',
      CONFIG,
      '--activations',
      'relu,tanh',
      '--seeds',
      '1',
      '--steps',
      '2200',
      '--json',
      out,
      '--junit',
      junit,
      '--expect-healthy',
      'tanh',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rep = fromJson<CompareReport>(readFileSync(out, 'utf8'));
    const row = (a: string) => rep.rows.find((x) => x.activation === a)!;
    expect(row('relu').explosion).toBe(1);
    expect(row('tanh')).toMatchObject({ nan: 0, inf: 0, explosion: 0, worst: null });
    expect(r.stdout).toMatch(/relu: 1\/1 runs exploded, median step \d+, first in l4 backward/);
    expect(r.stdout).toContain('tanh: 0/1');
    // No NaN for tanh, but not healthy either: its first layer saturates in every run (a finding).
    expect(row('tanh').findings).toContainEqual({ label: 'l3 saturated', runs: 1 });
    expect(rep.verdict.sentence).toMatch(/tanh: 0\/1(, \d\/1 [^;,]+)*, 1\/1 l3 saturated/);
    // The mark follows the verdict: tanh (the one expected healthy) passed but is saturated — ⚠, not ✔.
    expect(rep.verdict.level).toBe('findings');
    expect(r.stdout).toMatch(/^⚠ relu: 1\/1 runs exploded/m);
    expect(r.stdout).toMatch(/speed-up ×\d/);
    // JUnit: one case per activation × seed.
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(2);
  }, 400_000);

  it('--fail-on explosion makes any failing run exit 1; --expect-healthy relu fails on relu; the mark follows the verdict', async () => {
    const args = ['compare-activations', 'configs/nan-sgd-relu.yaml', '--activations', 'relu,tanh', '--seeds', '1', '--steps', '150'];
    const a = await cli([...args, '--fail-on', 'explosion', '-q']);
    expect(a.code).toBe(1);
    expect(a.stdout).toMatch(/^✖ relu: 1\/1 runs NaN/);
    expect(a.stdout).toMatch(/relu: 1\/1 runs failed \(fail on explosion\)/);
    const relu = await cli([...args, '--expect-healthy', 'relu', '-q']);
    expect(relu.code).toBe(1);
    expect(relu.stdout).toMatch(/relu: 1\/1 runs not healthy \(fail on inf\): seeds 0/);
    // No --fail-on: the comparison passes (exit 0), but relu went NaN, so the mark is "!", never ✔.
    const plain = await cli([...args, '-q']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^! relu: 1\/1 runs NaN/);
  });

  it('--shard 1/2 + --shard 2/2 + merge gives the same table and exit code as the unsharded run', async () => {
    const dir = tmp();
    const args = [
      'compare-activations',
      'configs/nan-sgd-relu.yaml',
      '--activations',
      'relu,tanh',
      '--seed-list',
      '0,4',
      '--steps',
      '150',
      '--fail-on',
      'nan',
      '--workers',
      '1',
    ];
    const whole = await cli([
      ...args,
      '--json',
      path.join(dir, 'whole.json'),
      '--html',
      path.join(dir, 'whole.html'),
      '--markdown',
      path.join(dir, 'whole.md'),
    ]);
    // The comparison's HTML: one chart per metric, each with a line per run coloured by activation.
    const html = readFileSync(path.join(dir, 'whole.html'), 'utf8');
    expect(html.match(/<svg class="chart"/g)).toHaveLength(3);
    expect(html.match(/<path d=/g)!.length).toBeGreaterThanOrEqual(3 * 4 - 4);
    expect(readFileSync(path.join(dir, 'whole.md'), 'utf8')).toContain('| relu |');
    const s1 = await cli([...args, '--shard', '1/2', '--json', path.join(dir, 's1.json')]);
    const s2 = await cli([...args, '--shard', '2/2', '--json', path.join(dir, 's2.json')]);
    const merged = await cli(['merge', path.join(dir, 's1.json'), path.join(dir, 's2.json'), '--json', path.join(dir, 'merged.json')]);
    const W = fromJson<CompareReport>(readFileSync(path.join(dir, 'whole.json'), 'utf8'));
    const M = fromJson<CompareReport>(readFileSync(path.join(dir, 'merged.json'), 'utf8'));
    const S1 = fromJson<CompareReport>(readFileSync(path.join(dir, 's1.json'), 'utf8'));
    expect(S1.cells.length).toBe(2);
    const strip = (r: CompareReport) => ({ rows: r.rows, verdict: r.verdict, cells: r.cells.map((c) => ({ ...c, seconds: 0 })) });
    expect(strip(M)).toEqual(strip(W));
    expect(W.rows.find((x) => x.activation === 'relu')!.nan).toBeGreaterThanOrEqual(1);
    expect(merged.code).toBe(whole.code);
    expect(whole.code).toBe(1);
    expect(s1.code + s2.code).toBeGreaterThanOrEqual(1);
    // A missing shard is named.
    const partial = await cli(['merge', path.join(dir, 's1.json')]);
    expect(partial.code).toBe(2);
    expect(partial.stderr).toMatch(/missing .*seed/);
  });

  it('--replicas: each cell with its replicas; rows and verdict count robust runs; a cell matches `run --replicas`', async () => {
    const dir = tmp();
    const out = path.join(dir, 'cmp.json');
    const r = await cli(
      ['compare-activations', 'configs/nan-sgd-relu.yaml', '--activations', 'relu,tanh', '--seeds', '1'].concat([
        '--steps',
        '200',
        '--replicas',
        '3',
        '--json',
        out,
      ]),
    );
    expect(r.stderr).toBe('');
    const rep = fromJson<CompareReport>(readFileSync(out, 'utf8'));
    for (const c of rep.cells) expect(c.robustness).toMatchObject({ replicas: 3, class: 'robust' });
    expect(rep.rows.map((x) => x.robustness)).toEqual([
      { robust: 1, spread: 0, chaotic: 0 },
      { robust: 1, spread: 0, chaotic: 0 },
    ]);
    expect(rep.verdict.sentence).toContain('relu: 1/1 runs NaN, median step 117, first in l3_1 forward, rounding: 1/1 robust');
    const lone = path.join(dir, 'run.json');
    await cli(['run', 'configs/nan-sgd-relu.yaml', '--steps', '200', '--replicas', '3', '--json', lone]);
    expect(rep.cells[0]!.robustness!.sentence).toBe(fromJson<RunReport>(readFileSync(lone, 'utf8')).robustness!.sentence);
  }, 300_000);

  it('option validation: unknown activation or layer → exit 2 with the valid names', async () => {
    const act = await cli(['compare-activations', CONFIG, '--activations', 'relu,rleu']);
    expect(act.code).toBe(2);
    expect(act.stderr).toContain('unknown activation "rleu"');
    expect(act.stderr).toContain('leaky_relu');
    const layer = await cli(['compare-activations', CONFIG, '--layers', 'l3,l9']);
    expect(layer.code).toBe(2);
    expect(layer.stderr).toContain('unknown layer "l9"; valid: l3, l3_1, l3_2, l3_3, l4');
    const both = await cli(['compare-activations', CONFIG, '--seeds', '2', '--seed-list', '1,2']);
    expect(both.code).toBe(2);
    const shard = await cli(['compare-activations', CONFIG, '--shard', '3/2']);
    expect(shard.code).toBe(2);
  });
});
