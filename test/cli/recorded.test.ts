import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { validateConfig } from '../../src/config/load-config.js';
import { runDiagnosis } from '../../src/core/run.js';
import { fromJson } from '../../src/report/json.js';
import type { RunReport } from '../../src/report/run-report.js';
import { cli, ROOT } from '../helpers/cli.js';
import { npyBytes } from '../helpers/npy.js';
import { tempDir } from '../helpers/temp-dir.js';

const FIX = path.join(ROOT, 'fixtures/cartpole');
const tmp = () => tempDir('cd-rec-');

function config(data: Record<string, unknown>, over: Record<string, unknown> = {}) {
  return {
    seed: 1,
    steps: 120,
    batchSize: 32,
    network: {
      inputDim: 4,
      layers: [
        { name: 'l1', units: 16, activation: 'relu' },
        { name: 'l2', units: 8, activation: 'tanh' },
        { name: 'v', units: 1 },
      ],
    },
    data: { source: 'recorded', targets: 'nStep', nStep: 3, gamma: 0.99, ...data },
    ...over,
  };
}

/** Writes a config (and extra files) in a fresh folder; returns the config's path. */
function write(cfg: unknown, files: Record<string, string | Uint8Array> = {}): string {
  const dir = tmp();
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  const f = path.join(dir, 'c.yaml');
  writeFileSync(f, stringify(cfg));
  return f;
}

const CSV = readFileSync(path.join(FIX, 'rollout.csv'), 'utf8');

describe('recorded rollouts', () => {
  it('the four fixture formats train to identical results (same config and seed)', async () => {
    const formats = {
      csv: { path: path.join(FIX, 'rollout.csv') },
      jsonl: { path: path.join(FIX, 'rollout.jsonl') },
      npy: { path: path.join(FIX, 'states.npy'), arrays: { rewards: path.join(FIX, 'rewards.npy'), dones: path.join(FIX, 'dones.npy') } },
      npz: { path: path.join(FIX, 'rollout.npz') },
    };
    const results: string[] = [];
    for (const data of Object.values(formats)) {
      const r = await runDiagnosis({ loaded: validateConfig(config(data), '<test>'), backend: 'wasm' });
      expect(r.stepsRun).toBe(120);
      results.push(JSON.stringify({ first: r.firstEvents, history: r.history, last: r.tables.last }));
    }
    expect(new Set(results).size).toBe(1);
  });

  it('regenerating the fixtures gives byte-identical files', () => {
    const dir = tmp();
    execFileSync(process.execPath, [path.join(ROOT, 'fixtures/generate/cartpole.mjs'), dir], { stdio: 'ignore' });
    // The .gz copies come from datasets.mjs.
    for (const f of readdirSync(FIX).filter((n) => !n.endsWith('.gz')))
      expect(Buffer.compare(readFileSync(path.join(dir, f)), readFileSync(path.join(FIX, f))), f).toBe(0);
  });
});

describe('data faults exit 2 with the file and the location, before any training', () => {
  const run = async (cfg: unknown, files: Record<string, string | Uint8Array> = {}, extra: string[] = []) => {
    const f = write(cfg, files);
    return { r: await cli(['run', f, ...extra]), dir: path.dirname(f) };
  };
  const lines = CSV.split('\n');

  it('a NaN in a CSV cell: line and column', async () => {
    const bad = [...lines];
    bad[5] = bad[5]!.replace(/^[^,]*,[^,]*,[^,]*/, (m) => m.replace(/,[^,]*$/, ',nan'));
    const { r } = await run(config({ path: 'r.csv' }), { 'r.csv': bad.join('\n') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/r\.csv:6: "nan" in column obs_2: states must be finite numbers/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an Inf reward in a CSV, a ragged row, a missing column, an empty file', async () => {
    const inf = [...lines];
    inf[3] = inf[3]!.replace(/,1,(0|1)$/, ',inf,$1');
    expect((await run(config({ path: 'r.csv' }), { 'r.csv': inf.join('\n') })).r.stderr).toMatch(/r\.csv:4: "inf" in column reward/);
    const ragged = [...lines];
    ragged[9] = ragged[9]!.split(',').slice(1).join(',');
    expect((await run(config({ path: 'r.csv' }), { 'r.csv': ragged.join('\n') })).r.stderr).toMatch(
      /r\.csv:10: ragged row: 5 fields, the header has 6/,
    );
    const missing = await run(config({ path: 'r.csv', columns: { reward: 'rew' } }), { 'r.csv': CSV });
    expect(missing.r.stderr).toMatch(/r\.csv:1: missing column "rew" \(data\.columns\.reward\)/);
    const empty = await run(config({ path: 'r.csv' }), { 'r.csv': '' });
    expect(empty.r.code).toBe(2);
    expect(empty.r.stderr).toMatch(/r\.csv: empty file/);
  });

  it('a width that does not match network.inputDim', async () => {
    const { r } = await run(
      config({ path: path.join(FIX, 'rollout.csv') }, { network: { inputDim: 48, layers: [{ name: 'v', units: 1 }] } }),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rollout\.csv: states have 4 features \(columns obs_0\.\.obs_3\), but network\.inputDim is 48/);
  });

  it('.npy: lengths that disagree, an Inf at an index, a missing file', async () => {
    const states = npyBytes(
      Array.from({ length: 40 }, (_, i) => i / 10),
      [10, 4],
      'f4',
    );
    const short = npyBytes([1, 1, 1], [3], 'f4');
    const lengths = await run(config({ path: 's.npy', arrays: { rewards: 'r.npy', dones: 'd.npy' } }), {
      's.npy': states,
      'r.npy': short,
      'd.npy': npyBytes(Array(10).fill(0), [10], 'b1'),
    });
    expect(lengths.r.code).toBe(2);
    expect(lengths.r.stderr).toMatch(/r\.npy: lengths disagree: rewards has 3 entries, states has 10/);
    const withInf = npyBytes([...Array(22).fill(0.5), Infinity, ...Array(17).fill(0.5)], [10, 4], 'f8', true);
    const inf = await run(config({ path: 's.npy', arrays: { rewards: 'r.npy', dones: 'd.npy' } }, { batchSize: 4 }), {
      's.npy': withInf,
      'r.npy': npyBytes(Array(10).fill(1), [10], 'f4'),
      'd.npy': npyBytes(Array(10).fill(0), [10], 'b1'),
    });
    expect(inf.r.stderr).toMatch(/s\.npy: Infinity at index \[5, 2\]: states must be finite/);
    const none = await run(config({ path: 'nope.npz' }));
    expect(none.r.stderr).toMatch(/nope\.npz: cannot read data: no such file/);
  });

  it('JSONL: a line that is not JSON, a ragged obs', async () => {
    const j = readFileSync(path.join(FIX, 'rollout.jsonl'), 'utf8').split('\n');
    const notJson = [...j];
    notJson[2] = '{"obs": [1, 2';
    expect((await run(config({ path: 'r.jsonl' }), { 'r.jsonl': notJson.join('\n') })).r.stderr).toMatch(/r\.jsonl:3: not JSON/);
    const ragged = [...j];
    ragged[7] = '{"obs":[1,2,3],"reward":1,"done":false}';
    expect((await run(config({ path: 'r.jsonl' }), { 'r.jsonl': ragged.join('\n') })).r.stderr).toMatch(
      /r\.jsonl:8: ragged row: "obs" has 3 numbers, earlier lines have 4/,
    );
  });

  it('--allow-bad-rows drop drops them and reports how many', async () => {
    const bad = [...lines];
    bad[5] = bad[5]!.replace(/^[^,]*/, 'NaN');
    bad[9] = '1,2';
    const f = write(config({ path: 'r.csv' }, { steps: 5 }), { 'r.csv': bad.join('\n') });
    const out = path.join(path.dirname(f), 'r.json');
    const r = await cli(['run', f, '--allow-bad-rows', 'drop', '--json', out, '-q']);
    expect(r.code).toBe(0);
    const rep = fromJson<RunReport>(readFileSync(out, 'utf8'));
    expect(rep.droppedRows).toBe(2);
    expect(rep.data).toContain('2 bad rows dropped');
  });
});
