// Trains every shipped config twice — our SIMD kernels, then the composed tfjs ops (what
// tfjs-node and webgl run) — and prints each run's first events and final loss side by side.
// `npm run build` first. A check made by hand for docs/numerics.md, not a test (it trains
// every shipped config twice, minutes); test/train/fused-step.test.ts is the suite's version.
import { readdirSync } from 'node:fs';
import { loadConfig } from '../dist/model/load-config-with-model.js';
import { runDiagnosis } from '../dist/core/run.js';
import { setFusedKernels } from '../dist/engine/js-kernel.js';

const where = (e) => (e ? `${e.step} ${e.layer ?? '-'} ${e.phase} ${e.tensor}` : '-');
for (const name of readdirSync('configs')
  .filter((f) => f.endsWith('.yaml'))
  .sort()) {
  const rows = [];
  for (const fused of [true, false]) {
    setFusedKernels(fused);
    const r = await runDiagnosis({ loaded: await loadConfig(`configs/${name}`), backend: 'wasm' });
    const fe = r.firstEvents;
    rows.push(`nan ${where(fe.nan)} | inf ${where(fe.inf)} | explosion ${where(fe.explosion)} | steps ${r.stepsRun}`);
  }
  console.log(`${name}\n  kernels:  ${rows[0]}\n  composed: ${rows[1]}${rows[0] === rows[1] ? '' : '\n  DIFFERENT'}`);
}
