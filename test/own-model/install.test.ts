import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);

// A user's project outside the repo: `npm install <path to the repo>` (with tfjs linked from the
// same place, so both share one @tensorflow/tfjs, as npm does when versions match), then the
// library's ESM entry and its TypeScript declarations. `npm test` builds dist/ first; --ignore-scripts
// keeps npm from running the package's `prepare` (a rebuild of dist/ under the other tests' feet).
it('from a scratch project: npm install <repo>, import { watchModel } in Node ESM, and tsc resolves its types', async () => {
  const dir = tempDir('cd-scratch-');
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', type: 'module', private: true }));
  await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--offline', '--ignore-scripts', ROOT, path.join(ROOT, 'node_modules/@tensorflow/tfjs')],
    {
      cwd: dir,
      timeout: 120_000,
    },
  );
  writeFileSync(
    path.join(dir, 'main.mjs'),
    [
      "import * as tf from '@tensorflow/tfjs';",
      "import { watchModel, renderHtml } from 'critic-doctor';",
      "tf.env().set('PROD', true);",
      'const m = tf.sequential();',
      "m.add(tf.layers.dense({ units: 4, activation: 'relu', inputShape: [3] }));",
      'm.add(tf.layers.dense({ units: 1 }));',
      "m.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });",
      'const w = watchModel(m);',
      'await m.fit(tf.ones([8, 3]), tf.ones([8, 1]), { epochs: 2, batchSize: 4, verbose: 0, callbacks: [w.callback] });',
      "const html = renderHtml(w.report()).startsWith('<!DOCTYPE html>');",
      'console.log(JSON.stringify({ steps: w.stepsSeen, worst: w.report().verdict.worst, html }));',
    ].join('\n'),
  );
  const out = await run(process.execPath, ['main.mjs'], { cwd: dir, timeout: 60_000 });
  expect(JSON.parse(out.stdout.trim().split('\n').at(-1)!)).toEqual({ steps: 4, worst: null, html: true });

  const tsconfig = {
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true },
  };
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  writeFileSync(
    path.join(dir, 'check.ts'),
    [
      "import * as tf from '@tensorflow/tfjs';",
      "import { watchModel, type FirstEvent, type RunReport } from 'critic-doctor';",
      'const w = watchModel(tf.sequential(), { explosionThreshold: 1e5, failOn: "nan" });',
      'const r: RunReport = w.report();',
      'const e: FirstEvent | null = w.firstEvents.nan;',
      'export const n: number = r.stepsRun + (e ? e.step : 0);',
    ].join('\n'),
  );
  const tsc = path.join(ROOT, 'node_modules/.bin/tsc');
  await run(tsc, ['-p', '.'], { cwd: dir, timeout: 60_000 });
  // The declarations are real types, not `any`: a wrong use fails to compile.
  writeFileSync(
    path.join(dir, 'check.ts'),
    "import { watchModel } from 'critic-doctor';\nexport const s: string = watchModel(null as never).stepsSeen;\n",
  );
  await expect(run(tsc, ['-p', '.'], { cwd: dir, timeout: 60_000 })).rejects.toMatchObject({
    stdout: expect.stringContaining("Type 'number' is not assignable to type 'string'"),
  });
}, 180_000);
