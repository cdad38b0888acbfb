import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromJson } from '../../src/report/json.js';
import type { CompareReport } from '../../src/report/compare-report.js';
import type { RunReport } from '../../src/report/run-report.js';
import type { TreatReport } from '../../src/report/treat-report.js';
import { cli, ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const tmp = () => tempDir('cd-int-');

/**
 * Starts a long command with `--progress` (progress lines off a terminal too), sends `signal` the
 * first time its stderr shows `when` (a progress line saying training is under way), returns the exit.
 */
function interrupt(
  signal: NodeJS.Signals,
  out: string,
  args = ['run', 'configs/seed-critic-tanh.yaml', '--steps', '100000'],
  when = / {2}\S* ([1-9]\d*)\/100000 steps/,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, 'bin/critic-doctor.js'),
        ...args,
        '--progress',
        '--json',
        `${out}.json`,
        '--html',
        `${out}.html`,
        '--junit',
        `${out}.xml`,
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    let stdout = '';
    let sent = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (!sent && when.test(stderr)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, stdout }));
  });
}

describe('interrupts lose nothing', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal}: stops after the current step, writes every report with status interrupted, exits ${code}`, async () => {
      const dir = tmp();
      const out = path.join(dir, 'r');
      const r = await interrupt(signal, out);
      expect(r.code).toBe(code);
      expect(r.stderr).toContain(`${signal}: stopping after the current step`);
      const rep = fromJson<RunReport>(readFileSync(`${out}.json`, 'utf8'));
      expect(rep.status).toBe('interrupted');
      expect(rep.stepsRun).toBeGreaterThan(0);
      expect(rep.stepsRun).toBeLessThan(100_000);
      expect(rep.tables.last?.step).toBe(rep.stepsRun - 1);
      expect(existsSync(`${out}.html`)).toBe(true);
      expect(readFileSync(`${out}.xml`, 'utf8')).toContain('<testsuites');
      // Only the three reports: no temporary files left behind.
      expect(readdirSync(dir).sort()).toEqual(['r.html', 'r.json', 'r.xml']);
    }, 120_000);
  }
});

describe('interrupting the multi-run commands', () => {
  it('compare-activations: a run still training stops after its current step; the report is written, interrupted, 130', async () => {
    const dir = tmp();
    const out = path.join(dir, 'c');
    // relu stops at its NaN (step 117) within a second; tanh trains on (2 workers): signal once relu is done.
    const r = await interrupt(
      'SIGINT',
      out,
      ['compare-activations', 'configs/nan-sgd-relu.yaml', '--activations', 'relu,tanh', '--seed-list', '0', '--steps', '100000'],
      /1\/2 runs · relu seed 0: nan/,
    );
    expect(r.code).toBe(130);
    const rep = fromJson<CompareReport>(readFileSync(`${out}.json`, 'utf8'));
    expect(rep.status).toBe('interrupted');
    const [relu, tanh] = rep.cells;
    expect(relu).toMatchObject({ variant: 'relu', status: 'stopped', stepsRun: 118 });
    // tanh was under way beside it (its worker started with relu's, a little behind), and came back partial after its current step.
    expect(tanh).toMatchObject({ variant: 'tanh', status: 'interrupted' });
    expect(tanh!.stepsRun).toBeGreaterThan(0);
    expect(tanh!.stepsRun).toBeLessThan(100_000);
    expect(readdirSync(dir).sort()).toEqual(['c.html', 'c.json', 'c.xml']);
  }, 120_000);

  it('treat: interrupted while the remedies run, it writes its report (no cure recommended), exit 130', async () => {
    const dir = tmp();
    const out = path.join(dir, 't');
    // The baseline stops at its NaN (step 117) within a second; the remedies then run 100k steps.
    const r = await interrupt(
      'SIGTERM',
      out,
      ['treat', 'configs/nan-sgd-relu.yaml', '--remedies', 'g-0.1', '--seed-list', '0', '--steps', '100000', '--workers', '2'],
      /1\/1 runs · baseline seed 0: nan/,
    );
    expect(r.code).toBe(143);
    const rep = fromJson<TreatReport>(readFileSync(`${out}.json`, 'utf8'));
    expect(rep.status).toBe('interrupted');
    expect(rep.baseline.failed).toBe(1);
    expect(rep.best).toBeNull();
    expect(rep.verdict).toMatch(/^Interrupted: 0 of 2 remedy runs finished/);
    const partial = rep.cells.filter((c) => c.status === 'interrupted');
    expect(partial.length).toBe(2);
    expect(r.stdout).toContain('Interrupted');
    expect(readdirSync(dir).sort()).toEqual(['t.html', 't.json', 't.xml']);
  }, 120_000);
});

describe('engine failures', () => {
  it('a backend failing mid-run is an internal error (exit 3) and the partial report is still written', async () => {
    const dir = tmp();
    const out = path.join(dir, 'r.json');
    // Fault injected on purpose: the engine throws at step 25, as a failing backend would.
    const r = await cli(['run', 'configs/nan-sgd-tanh.yaml', '--json', out, '-q'], { env: { CRITIC_DOCTOR_INJECT_FAULT: 'step:25' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^internal error: the engine failed after 25 steps: injected engine fault at step 25/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const rep = fromJson<RunReport>(readFileSync(out, 'utf8'));
    expect(rep.status).toBe('error');
    expect(rep.stepsRun).toBe(25);
    expect(rep.error).toContain('injected engine fault');
    expect(rep.history.points.at(-1)?.step).toBe(24);
  });
});
