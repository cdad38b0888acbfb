/**
 * `npm run soak -- [--steps N] [--ensemble K]`: a long watched run (default 100,000 steps) of the
 * benchmark critic — K seeds trained as one ensemble with `--ensemble K` — printing
 * tf.memory().numTensors and RSS every tenth of the run as JSON lines, then a summary: tensors must
 * stay constant and RSS within 50 MB of its value after warm-up. Not a test.
 */
import { tf } from '../util/tfjs.js';
import { validateConfig } from '../config/load-config.js';
import { selectBackend } from '../train/backend.js';
import { TrainCallback } from '../train/callbacks.js';
import { trainEnsemble } from '../train/ensemble.js';
import { BENCH_CONFIG } from './bench-config.js';
import { kernelMemoryBytes } from '../engine/wasm-kernels.js';
import { benchMembers } from './bench-members.js';

const flag = (name: string, def: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const steps = flag('--steps', 100_000);
const members = Math.max(1, flag('--ensemble', 1));
const every = Math.max(1, Math.floor(steps / 10));

class Probe extends TrainCallback {
  readonly samples: { step: number; numTensors: number; rssMB: number; wasmHeapMB: number; kernelOwnMB: number }[] = [];
  override onStepEnd(step: number): void {
    if ((step + 1) % every !== 0) return;
    const mem = kernelMemoryBytes();
    const s = {
      step: step + 1,
      numTensors: tf.memory().numTensors,
      rssMB: Math.round(process.memoryUsage().rss / 2 ** 20),
      wasmHeapMB: Math.round(mem.tfjsHeap / 2 ** 20),
      kernelOwnMB: Math.round(mem.own / 2 ** 20),
    };
    this.samples.push(s);
    process.stdout.write(`${JSON.stringify(s)}\n`);
  }
}

const backend = await selectBackend('auto');
const config = validateConfig({ ...BENCH_CONFIG, steps }).config;
const probe = new Probe();
const t0 = performance.now();
// The probe rides on the first member: it samples the whole process.
const results = await trainEnsemble({ members: await benchMembers(config, members, steps, (i) => (i === 0 ? [probe] : [])) });
const seconds = (performance.now() - t0) / 1000;
for (const r of results) tf.dispose([...r.state.params, ...r.state.slots.flat()]);
const after = probe.samples.slice(1);
const base = probe.samples[0];
const summary = {
  backend: backend.name,
  steps,
  members,
  runStepsPerSecond: Math.round((members * steps) / seconds),
  numTensorsConstant: after.every((s) => s.numTensors === base?.numTensors),
  rssAfterWarmupMB: base?.rssMB,
  rssMaxGrowthMB: base ? Math.max(0, ...after.map((s) => s.rssMB - base.rssMB)) : 0,
  // The memories our kernels run on (tfjs-wasm's heap; their own on cpu) after warm-up and at the end.
  wasmHeapMB: [base?.wasmHeapMB, probe.samples.at(-1)?.wasmHeapMB],
  kernelOwnMB: [base?.kernelOwnMB, probe.samples.at(-1)?.kernelOwnMB],
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
