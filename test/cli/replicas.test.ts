import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromJson } from '../../src/report/json.js';
import type { RunReport } from '../../src/report/run-report.js';
import { cli } from '../helpers/cli.js';
import { loadConfig } from '../../src/model/load-config-with-model.js';
import { runDiagnoses } from '../../src/core/run-diagnoses.js';
import { replicaOptions } from '../../src/core/replicas.js';
import { replicaOutcome } from '../../src/diagnose/robustness.js';
import { tempDir } from '../helpers/temp-dir.js';

const tmp = () => tempDir('cd-replicas-');

describe('run --replicas (robustness of a diagnosis, real training)', () => {
  it('nan-sgd-relu: the NaN step, per replica, and whether it is robust — in every report format', async () => {
    const dir = tmp();
    const f = (ext: string) => path.join(dir, `r.${ext}`);
    const r = await cli(
      ['run', 'configs/nan-sgd-relu.yaml', '--replicas', '8', '--json', f('json'), '--html', f('html')].concat([
        '--markdown',
        f('md'),
        '--junit',
        f('xml'),
      ]),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const rep = fromJson<RunReport>(readFileSync(f('json'), 'utf8'));
    const rb = rep.robustness!;
    expect(rb.replicas).toBe(8);
    expect(rb.outcomes).toHaveLength(8);
    // Replica 0 is the run itself: its outcome is the report's own first NaN.
    expect(rb.outcomes[0]).toMatchObject({ replica: 0, worst: 'nan', step: rep.firstEvents.nan!.step });
    const nan = rb.kinds.find((k) => k.kind === 'nan')!;
    expect(nan.steps).toEqual(rb.outcomes.map((o) => (o.worst === 'nan' ? o.step : null)));
    // Measured: every replica overflows at the same op at the same step — the NaN is a property of the config.
    const steps = rb.outcomes.map((o) => o.step);
    expect(rb.class).toBe('robust');
    expect(new Set(steps)).toEqual(new Set([rep.firstEvents.nan!.step]));
    expect(rb.sentence).toBe(`robust: 8/8 NaN at step ${rep.firstEvents.nan!.step} (l3_1, forward, x·V)`);
    expect(r.stdout).toContain('Robustness');
    expect(r.stdout).toContain(rb.sentence);
    expect(r.stdout).toContain(`7: NaN at ${steps[7]}`);
    for (const ext of ['html', 'md', 'xml']) expect(readFileSync(f(ext), 'utf8')).toContain(rb.sentence.split(' (')[0]);
    // The CLI spread the replicas over this thread and a worker thread; trained here as one
    // ensemble instead, every replica ends exactly the same way.
    const here = await runDiagnoses(replicaOptions({ loaded: await loadConfig('configs/nan-sgd-relu.yaml'), backend: 'wasm' }, 8));
    expect(here.map((x, i) => replicaOutcome(i, x.firstEvents, x.verdict.worst, x.stepsRun))).toEqual(rb.outcomes);
  }, 300_000);

  it('seed-critic-tanh: 4/4 healthy; a lone run has no robustness section', async () => {
    const dir = tmp();
    const r = await cli(['run', 'configs/seed-critic-tanh.yaml', '--replicas', '4', '--steps', '200', '--json', path.join(dir, 'r.json')]);
    expect(r.code).toBe(0);
    const rep = fromJson<RunReport>(readFileSync(path.join(dir, 'r.json'), 'utf8'));
    expect(rep.robustness).toMatchObject({ class: 'robust', sentence: 'robust: 4/4 replicas healthy' });
    const lone = await cli(['run', 'configs/seed-critic-tanh.yaml', '--steps', '20', '--json', path.join(dir, 'l.json')]);
    expect(lone.stdout).not.toContain('Robustness');
    expect(fromJson<RunReport>(readFileSync(path.join(dir, 'l.json'), 'utf8')).robustness).toBeUndefined();
  }, 300_000);

  it('--replicas 0 or 65 is a usage error', async () => {
    for (const k of ['0', '65', 'x']) {
      const r = await cli(['run', 'configs/seed-critic-tanh.yaml', '--replicas', k]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: --replicas: /);
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    }
  }, 60_000);
});
