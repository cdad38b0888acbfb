#!/usr/bin/env node
// Regenerates the golden reports the renderer tests read (test/golden/*.json): real runs of
// shipped configs by the built CLI (`npm run golden` builds first). test/report/golden.test.ts
// fails when one is stale (another schema version, or its config changed since).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'test/golden');

/** name → the command that writes it (each report as `--json <name>.json`). */
export const GOLDEN = {
  'run-nan-sgd-relu': ['run', 'configs/nan-sgd-relu.yaml'],
  'run-seed-critic-tanh': ['run', 'configs/seed-critic-tanh.yaml', '--steps', '500'],
  'compare-nan-sgd-relu': [
    ...['compare-activations', 'configs/nan-sgd-relu.yaml', '--activations', 'relu,tanh,leaky_relu'],
    ...['--seed-list', '0,4', '--steps', '150', '--fail-on', 'nan'],
  ],
  'treat-nan-sgd-relu': ['treat', 'configs/nan-sgd-relu.yaml', '--remedies', 'he-init,g-0.1,bias-0', '--seed-list', '0', '--steps', '300'],
};

mkdirSync(OUT, { recursive: true });
for (const [name, args] of Object.entries(GOLDEN)) {
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, 'bin/critic-doctor.js'), ...args, '-q', '--json', path.join(OUT, `${name}.json`)],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  if (r.status !== 0 && r.status !== 1) throw new Error(`${name}: exit ${r.status}: ${r.stderr}`);
  process.stdout.write(`${name}.json (exit ${r.status})\n`);
}
