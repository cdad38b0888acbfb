import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromJson } from '../../src/report/json.js';
import type { RunReport } from '../../src/report/run-report.js';
import { cli, ROOT } from '../helpers/cli.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'cd-run-'));

describe('critic-doctor run (shipped configs, real training)', () => {
  it('seed-critic-relu: exits 1 and the JSON names step, layer, phase and tensor of the first event', async () => {
    const dir = tmp();
    const out = path.join(dir, 'r.json');
    const r = await cli(['run', 'configs/seed-critic-relu.yaml', '--json', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const rep = fromJson<RunReport>(readFileSync(out, 'utf8'));
    expect(rep.schemaVersion).toBe(2);
    expect(rep.verdict.worst).toBe('explosion');
    const e = rep.firstEvents.explosion!;
    expect(e.step).toBeGreaterThan(0);
    expect(e.layer).toMatch(/^l/);
    expect(['forward', 'backward', 'clip', 'update', 'loss']).toContain(e.phase);
    expect(e.tensor.length).toBeGreaterThan(0);
    expect(r.stdout).toContain(`at step ${e.step}`);
    // The report names the backend that ran (auto: the first that loads here), as the header does.
    expect(['node-gpu', 'node', 'wasm', 'cpu']).toContain(rep.environment.backend);
    expect(r.stdout).toContain(`backend ${rep.environment.backend} `);
  }, 300_000);

  it('seed-critic-elu exits 1 on an explosion; seed-critic-tanh exits 0', async () => {
    const elu = await cli(['run', 'configs/seed-critic-elu.yaml', '-q']);
    expect(elu.code).toBe(1);
    expect(elu.stdout).toMatch(/explosion/);
    const tanh = await cli(['run', 'configs/seed-critic-tanh.yaml', '-q']);
    expect(tanh.code).toBe(0);
    // No NaN, Inf or explosion — but not healthy either: l3 is saturated (a finding, issue 16).
    expect(tanh.stdout).toMatch(/^⚠ No NaN, Inf or \|x\| > 1\.00e6 in 4000 steps, but l3 has been 100 % saturated since step \d+/);
  }, 300_000);

  it('seed-critic-tanh: the saturation finding in every format; exit 0 under its failOn, 1 under --fail-on finding', async () => {
    const dir = tmp();
    const f = (x: string) => path.join(dir, x);
    const r = await cli([
      'run',
      'configs/seed-critic-tanh.yaml',
      '--fail-on',
      'finding',
      '--json',
      f('r.json'),
      '--html',
      f('r.html'),
      '--markdown',
      f('r.md'),
      '--junit',
      f('r.xml'),
    ]);
    expect(r.code).toBe(1);
    const rep = fromJson<RunReport>(readFileSync(f('r.json'), 'utf8'));
    const l3 = rep.findings.find((x) => x.rule === 'saturated-layer' && x.layer === 'l3')!;
    expect(l3.numbers.saturatedFraction).toBe(1);
    expect(l3.firstStep).toBeGreaterThanOrEqual(0);
    expect(rep.verdict).toMatchObject({ worst: null, failed: true, failOn: 'finding' });
    for (const x of ['r.html', 'r.md', 'r.xml'])
      expect(readFileSync(f(x), 'utf8'), x).toContain(`l3 has been 100 % saturated since step ${l3.firstStep}`);
    expect(r.stdout).toContain('Findings');
  }, 300_000);

  it('recorded-cartpole-healthy: no finding, healthy', async () => {
    const dir = tmp();
    const r = await cli([
      'run',
      'configs/recorded-cartpole-healthy.yaml',
      '--fail-on',
      'finding',
      '--json',
      path.join(dir, 'r.json'),
      '-q',
    ]);
    expect(r.code).toBe(0);
    expect(fromJson<RunReport>(readFileSync(path.join(dir, 'r.json'), 'utf8')).findings).toEqual([]);
    expect(r.stdout).toMatch(/^✔ Healthy/);
  });

  it('nan-sgd-relu exits 1 with a first NaN event; nan-sgd-tanh exits 0', async () => {
    const dir = tmp();
    const out = path.join(dir, 'r.json');
    const f = (x: string) => path.join(dir, x);
    const relu = await cli([
      'run',
      'configs/nan-sgd-relu.yaml',
      '--json',
      out,
      '--html',
      f('r.html'),
      '--markdown',
      f('r.md'),
      '--junit',
      f('r.xml'),
    ]);
    expect(relu.code).toBe(1);
    const rep = fromJson<RunReport>(readFileSync(out, 'utf8'));
    expect(rep.firstEvents.nan).not.toBeNull();
    expect(rep.status).toBe('stopped');
    // At the first-NaN step, a layer whose gradients are all NaN shows NaN for its gradient norm, not 0, in every format.
    const l4 = rep.tables.nan!.layers.find((l) => l.layer === 'l4')!;
    expect(l4.gradNorm).toBeNaN();
    expect(readFileSync(out, 'utf8')).toMatch(/"layer": "l4",[^}]*"gradNorm": "NaN"/);
    expect(readFileSync(f('r.html'), 'utf8')).toMatch(/<td>l4<\/td><td>linear<\/td>(<td>[^<]*<\/td>){3}<td>NaN<\/td>/);
    expect(readFileSync(f('r.md'), 'utf8')).toMatch(/\| l4 \| [^|]+ \| NaN \|/);
    expect(readFileSync(f('r.xml'), 'utf8')).toMatch(/│ l4 +│ linear +│ [^│]+│ [^│]+│ [^│]+│ NaN +│/);
    expect((await cli(['run', 'configs/nan-sgd-tanh.yaml', '-q'])).code).toBe(0);
  }, 300_000);

  it('nan-return-norm: the NaN is in the loss phase (normalised target), not in a layer', async () => {
    const dir = tmp();
    const out = path.join(dir, 'r.json');
    expect((await cli(['run', 'configs/nan-return-norm.yaml', '--json', out])).code).toBe(1);
    const rep = fromJson<RunReport>(readFileSync(out, 'utf8'));
    expect(rep.firstEvents.nan).toMatchObject({ phase: 'loss', layer: null, tensor: 'normalized target' });
  });

  it('--fail-on changes the exit code; --steps and --seed override the config', async () => {
    const r = await cli(['run', 'configs/nan-sgd-relu.yaml', '--fail-on', 'none', '--steps', '50', '--seed', '2', '-q']);
    expect(r.code).toBe(0);
    const dir = tmp();
    const out = path.join(dir, 'r.json');
    await cli(['run', 'configs/nan-sgd-relu.yaml', '--fail-on', 'none', '--steps', '50', '--seed', '2', '--json', out]);
    const rep = fromJson<RunReport>(readFileSync(out, 'utf8'));
    expect(rep.stepsRequested).toBe(50);
    expect(rep.seed).toBe(2);
  });
});

describe('critic-doctor run: bad input exits 2 with one clear message', () => {
  const bad = async (text: string) => {
    const dir = tmp();
    const f = path.join(dir, 'bad.yaml');
    writeFileSync(f, text);
    return { f, dir, r: await cli(['run', f, '--json', path.join(dir, 'out.json')]) };
  };

  it('unknown key: file, line, path and a suggestion; no stack, no report file', async () => {
    const { f, dir, r } = await bad('network:\n  inputDim: 4\n  layerz: []\ndata: { source: synthetic }\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${f}:3`);
    expect(r.stderr).toContain('did you mean "layers"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(readdirSync(dir)).toEqual(['bad.yaml']);
  });

  it('a wrong value names the field path', async () => {
    const { r } = await bad('network:\n  inputDim: 4\n  layers: [{ name: v, units: 1, activation: rleu }]\ndata: { source: synthetic }\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('network.layers[0].activation');
  });

  it('a missing config file', async () => {
    const r = await cli(['run', 'no/such/config.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no\/such\/config\.yaml: cannot read config: no such file/);
  });

  it('bad flags: an unknown option, a bad --steps, a bad --fail-on, an unknown command', async () => {
    expect((await cli(['run', 'configs/seed-critic-tanh.yaml', '--stpes', '3'])).code).toBe(2);
    const steps = await cli(['run', 'configs/seed-critic-tanh.yaml', '--steps', 'many']);
    expect(steps.code).toBe(2);
    expect(steps.stderr).toContain('--steps');
    expect((await cli(['run', 'configs/seed-critic-tanh.yaml', '--fail-on', 'sometimes'])).code).toBe(2);
    const unknown = await cli(['rn', 'configs/seed-critic-tanh.yaml']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('run');
  });

  // Only meaningful where the optional native backend did not install (it cannot here: its install downloads libtensorflow).
  const nodeBackendInstalled = (() => {
    try {
      createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(nodeBackendInstalled)('--backend node without tfjs-node: exit 2, one line naming the backends that do load', async () => {
    const dir = tmp();
    const r = await cli(['run', 'configs/seed-critic-tanh.yaml', '--backend', 'node', '--json', path.join(dir, 'r.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^error: --backend node is not available \(.*tfjs-node is not installed.*\); backends that load here: .*wasm, cpu/,
    );
    expect(r.stdout).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--help shows an example and exits 0; --version prints the version', async () => {
    const h = await cli(['run', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('Examples:');
    const v = await cli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  });
});
