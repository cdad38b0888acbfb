import { execFile } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);

// A user's project with its own @tensorflow/tfjs: critic-doctor installed as the packed tarball
// and as a plain folder (a symlink to this repo, whose node_modules holds its own dev copy of
// tfjs: src/util/tfjs.ts takes the application's copy instead). A folder installed with
// `--install-links` is npm's pack of it installed as that tarball is (the same npm-packlist
// files, scripts ignored): the tarball case covers it. Every way there is one tfjs: the user's
// model is watched, a planted NaN is found, and tfjs prints no "already registered" line (what
// two copies print, by the hundred).
// The user's tfjs packages are this repo's, packed: a copy of their own, as from the registry (a
// path would be a symlink to the repo's, one copy whatever critic-doctor does); the rest come
// from npm's cache or registry.
let TFJS: string[] = [];
beforeAll(async () => {
  const dir = tempDir('cd-tfjs-');
  const pkgs = ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'].map((p) => path.join(ROOT, 'node_modules', p));
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, ...pkgs], { cwd: dir, timeout: 120_000 });
  TFJS = readdirSync(dir)
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => path.join(dir, f));
  expect(TFJS).toHaveLength(2);
}, 240_000);

const MAIN = [
  "import * as tf from '@tensorflow/tfjs';",
  "import { watchModel } from 'critic-doctor';",
  'const m = tf.sequential();',
  "m.add(tf.layers.dense({ units: 4, activation: 'relu', inputShape: [3] }));",
  'm.add(tf.layers.dense({ units: 1 }));',
  "m.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });",
  'const w = watchModel(m);',
  'const y = tf.tensor2d([1, 2, 3, 4, 5, NaN, 7, 8], [8, 1]);',
  'await m.fit(tf.ones([8, 3]), y, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0, callbacks: [w.callback] });',
  'const e = w.firstEvents.nan;',
  'console.log(JSON.stringify({ step: e?.step, phase: e?.phase, tensor: e?.tensor }));',
].join('\n');

async function scratch(installArgs: string[]): Promise<{ out: string; all: string }> {
  const dir = tempDir('cd-copies-');
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', type: 'module', private: true }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', ...installArgs, ...TFJS], {
    cwd: dir,
    timeout: 120_000,
  });
  writeFileSync(path.join(dir, 'main.mjs'), MAIN);
  const r = await run(process.execPath, ['main.mjs'], { cwd: dir, timeout: 60_000 });
  return { out: r.stdout.trim().split('\n').at(-1)!, all: r.stdout + r.stderr };
}

const expected = { step: 1, phase: 'loss', tensor: 'target' };

it('installed from the packed tarball: one tfjs, the NaN found, nothing "already registered"', async () => {
  const packDir = tempDir('cd-pack-');
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir, ROOT], { cwd: packDir, timeout: 120_000 });
  const tgz = path.join(
    packDir,
    readdirSync(packDir).find((f) => f.endsWith('.tgz'))!,
  );
  const { out, all } = await scratch([tgz]);
  expect(JSON.parse(out)).toEqual(expected);
  expect(all).not.toMatch(/already registered/);
}, 240_000);

it('installed as a plain folder (a symlink to the repo, with its own dev tfjs): the same', async () => {
  const { out, all } = await scratch([ROOT]);
  expect(JSON.parse(out)).toEqual(expected);
  expect(all).not.toMatch(/already registered/);
}, 240_000);
