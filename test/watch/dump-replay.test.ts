import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { readNpy } from '../../src/data/recorded/npy.js';
import type { DumpManifest } from '../../src/diagnose/dump.js';
import { fromJson } from '../../src/report/json.js';
import type { RunReport } from '../../src/report/run-report.js';
import { cli, ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('crash dump and replay', () => {
  it('run --dump-dir writes a dump numpy can read, and replay reproduces the first event bit for bit', async () => {
    const dir = tempDir('cd-dump-');
    const dump = path.join(dir, 'crash');
    const run = await cli(['run', 'configs/nan-sgd-relu.yaml', '--dump-dir', dump, '--json', path.join(dir, 'r.json'), '-q']);
    expect(run.code).toBe(1);
    const report = fromJson<RunReport>(readFileSync(path.join(dir, 'r.json'), 'utf8'));
    const manifest = JSON.parse(readFileSync(path.join(dump, 'manifest.json'), 'utf8')) as DumpManifest;
    expect(manifest.step).toBe(report.firstEvents.nan!.step);
    expect(manifest.event).toEqual(report.firstEvents.nan);
    // Each array reads back as numpy would: float32, the parameter's shape.
    for (const p of manifest.params) {
      const a = readNpy(readFileSync(path.join(dump, p.file)), { file: p.file });
      expect(a.dtype).toBe('<f4');
      expect(a.shape).toEqual(p.shape);
    }
    expect(readNpy(readFileSync(path.join(dump, 'batch_states.npy')), { file: 'b' }).shape).toEqual([64, 48]);
    const replay = await cli(['replay', dump, '--backend', 'wasm']);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('reproduced bit for bit');
    expect(replay.stdout).toContain('Square: (l3/V=');
  });

  it('a dump seeds a run (network.initFrom): starting from the saved state, the first step is already the failing one', async () => {
    const dir = tempDir('cd-init-');
    const dump = path.join(dir, 'crash');
    await cli(['run', 'configs/nan-sgd-relu.yaml', '--dump-dir', dump, '-q']);
    const manifest = JSON.parse(readFileSync(path.join(dump, 'manifest.json'), 'utf8')) as DumpManifest;
    const cfg = { ...manifest.config, steps: 5, network: { ...manifest.config.network, initFrom: 'crash' } };
    writeFileSync(path.join(dir, 'c.yaml'), stringify(cfg));
    const r = await cli(['run', path.join(dir, 'c.yaml'), '--json', path.join(dir, 'r.json'), '-q']);
    expect(r.code).toBe(1);
    const rep = fromJson<RunReport>(readFileSync(path.join(dir, 'r.json'), 'utf8'));
    // The weights are those of step 117; SGD has no slots, so one or two steps overflow again.
    expect(rep.firstEvents.inf!.step).toBeLessThanOrEqual(2);
    const bad = await cli(['run', path.join(dir, 'c.yaml')], { env: {} });
    expect(bad.code).toBe(1);
    writeFileSync(path.join(dir, 'd.yaml'), stringify({ ...cfg, network: { ...cfg.network, initFrom: 'nowhere' } }));
    const missing = await cli(['run', path.join(dir, 'd.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('network.initFrom: no file for parameter l3/V (expected l3__V.npy)');
    void ROOT;
  });
});
