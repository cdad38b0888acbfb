import { createRequire } from 'node:module';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromJson } from '../../src/report/json.js';
import type { RunReport } from '../../src/report/run-report.js';
import { cli, ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const tmp = () => tempDir('cd-run-');

describe('critic-doctor run: flags', () => {
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
