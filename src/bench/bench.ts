/**
 * `npm run bench -- [--json] [--steps N] [--repeats N]`: training speed of the seed relu critic
 * (48 → 64-32-32-32-1, batch 64, TF1 RMSProp, per-tensor clip 5, fixed Monte-Carlo targets so
 * nothing diverges) on the default backend, for: plain training, the full watchdog, tfjs's own
 * DEBUG mode on our step and on the loop a tfjs user writes, model.fit plain/watched/DEBUG,
 * 8 seeds as one ensemble in one thread, and 8 seeds as compare-activations runs them (each the
 * median of the repeats after a warm-up); then the load time and peak memory of a 1,000,000-row
 * CSV and HDF5 file (`--csv-rows N`, 0 to skip). Not a test: speed is measured here, never
 * asserted in tests.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { tf } from '../util/tfjs.js';
import { validateConfig } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import { runCells } from '../core/cells.js';
import { buildGrid } from '../core/cell.js';
import { createDataStream } from '../data/data-stream.js';
import { setFusedKernels } from '../engine/js-kernel.js';
import { buildCriticSpec, initBuffers, initParams } from '../model/critic.js';
import { selectBackend } from '../train/backend.js';
import { createOptimizer } from '../train/optimizers.js';
import { trainStep } from '../train/step.js';
import { batchTensors, disposeInputs } from '../train/batch-tensors.js';
import { train, trainEnsemble } from '../train/ensemble.js';
import { median } from '../util/stats.js';
import { BENCH_CONFIG as BASE_CONFIG } from './bench-config.js';
import { fitRate } from './fit-bench.js';
import { withTfjsDebug } from './with-tfjs-debug.js';
import { userLoopRate } from './user-loop.js';
import { benchMembers } from './bench-members.js';
import { matmulBench, stepFlops } from './kernel-bench.js';
import { benchWide } from './wide-bench.js';

const args = process.argv.slice(2);
const flag = (name: string, def: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const asJson = args.includes('--json');
// `--only step,ensembles`: just those parts (step, kernels, torch, debug, fit, ensembles, data, wide); all by default.
const only = args.includes('--only') ? new Set(args[args.indexOf('--only') + 1]!.split(',')) : undefined;
const part = (name: string) => !only || only.has(name);
const STEPS = flag('--steps', 1500);
const REPEATS = Math.max(3, flag('--repeats', 3));
const BENCH_CONFIG = { ...BASE_CONFIG, steps: STEPS };

/** The median of the repeats (REPEATS ≥ 3, all finite rates). */
const med = (xs: number[]): number => median(xs)!;

type Out = Record<string, unknown>;
type Log = (s: string) => void;

/** Steps/s of the bare training step: no tap, no statistics, no read-back. */
async function plainRate(config: Config, steps: number): Promise<number> {
  const spec = buildCriticSpec(config);
  const stream = await createDataStream(config);
  const optimizer = createOptimizer(config.optimizer);
  const params = initParams(spec, config.seed);
  let state = { params, slots: optimizer.initSlots(params), iteration: 0, buffers: initBuffers(spec) };
  const ctx = { spec, config, optimizer };
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const inputs = batchTensors(stream.sampler.next());
    const out = tf.tidy(() => trainStep(ctx, state, inputs));
    disposeInputs(inputs);
    tf.dispose([...state.params, ...state.slots.flat(), out.loss]);
    state = { params: out.params, slots: out.slots, iteration: state.iteration + 1, buffers: out.buffers };
  }
  // One read-back at the end makes sure every kernel has run (wasm runs them eagerly anyway).
  state.params[0]!.dataSync();
  const rate = steps / ((performance.now() - t0) / 1000);
  tf.dispose([...state.params, ...state.slots.flat()]);
  return rate;
}

/** Steps/s of `critic-doctor run`'s loop: every layer watched, one read-back per step. */
async function watchRate(config: Config, steps: number): Promise<number> {
  const r = await train((await benchMembers(config, 1, steps))[0]!);
  tf.dispose([...r.state.params, ...r.state.slots.flat()]);
  return steps / r.seconds;
}

/** Run-steps/s of `k` seeds trained as one watched ensemble in this thread. */
async function ensembleRate(config: Config, k: number, steps: number): Promise<number> {
  const members = await benchMembers(config, k, steps);
  const t0 = performance.now();
  const rs = await trainEnsemble({ members });
  const rate = (k * steps) / ((performance.now() - t0) / 1000);
  for (const r of rs) tf.dispose([...r.state.params, ...r.state.slots.flat()]);
  return rate;
}

async function main(): Promise<void> {
  const backend = await selectBackend('auto');
  const config = validateConfig(BENCH_CONFIG).config;
  const tensors0 = tf.memory().numTensors;
  const out: Record<string, unknown> = {
    backend: backend.name,
    tfjs: backend.tfjsVersion,
    node: process.version,
    cores: availableParallelism(),
    steps: STEPS,
    repeats: REPEATS,
  };
  const log = (s: string) => {
    if (!asJson) process.stderr.write(`${s}\n`);
  };

  if (part('step')) await benchStep(config, out, log);
  if (part('kernels')) benchKernels(config, out, log);
  if (part('torch')) benchTorch(out, log);
  if (part('debug')) await benchDebugPeers(config, out, log);
  if (part('fit')) await benchFit(config, out, log);
  if (part('ensembles')) await benchEnsembles(config, out, log);
  if (part('data')) await benchDataLoads(config, out, log);
  // The wide critics (wide-bench.ts): SB3's TD3/SAC Q critics, twin heads, rsl_rl's V critic, beside torch_q_peer.py.
  if (part('wide')) out.wide = await benchWide(flag('--wide-steps', 100), REPEATS, log);

  out.numTensorsGrowth = tf.memory().numTensors - tensors0;
  out.rssPeakMB = Math.round(process.resourceUsage().maxRSS / 1024);
  const p = out.plain as number;
  const w = out.watch as number;
  const torch = out.torch as { plain_steps_per_s: number; hooks_steps_per_s: number } | undefined;
  out.ratios = {
    plainOverTorchPlain: torch ? Math.round((p / torch.plain_steps_per_s) * 100) / 100 : null,
    watchOverTorchHooks: torch ? Math.round((w / torch.hooks_steps_per_s) * 100) / 100 : null,
    stepGflops: out.stepFlops ? Math.round(((out.stepFlops as number) * p) / 1e8) / 10 : null,
    watchOverPlain: Math.round((w / p) * 100) / 100,
    watchOverTfjsDebug: Math.round((w / (out.tfjsDebug as number)) * 10) / 10,
    watchOverTfjsDebugUserLoop: Math.round((w / (out.tfjsDebugUserLoop as number)) * 10) / 10,
    ensemble8OneThreadOverPlain: Math.round(((out.ensemble8OneThread as number) / p) * 100) / 100,
    ensemble8OverPlain: Math.round(((out.ensemble8 as number) / p) * 100) / 100,
    fitWatchedOverFitPlain: Math.round(((out.fitWatched as number) / (out.fitPlain as number)) * 100) / 100,
    fitWatchedOverFitDebug: Math.round(((out.fitWatched as number) / (out.fitDebug as number)) * 10) / 10,
  };
  process.stdout.write(`${JSON.stringify(out, null, asJson ? 0 : 2)}\n`);
}

await main();

/** The critic's step: plain, watched, and on the composed ops. */
async function benchStep(config: Config, out: Out, log: Log): Promise<void> {
  // Warm-up: JIT, wasm, kernel caches.
  await plainRate(config, 200);
  await watchRate(config, 200);

  const plain: number[] = [];
  const watch: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    plain.push(await plainRate(config, STEPS));
    watch.push(await watchRate(config, STEPS));
    log(`repeat ${i + 1}: plain ${plain[i]!.toFixed(0)} steps/s, watch ${watch[i]!.toFixed(0)} steps/s`);
  }
  out.plain = Math.round(med(plain));
  out.watch = Math.round(med(watch));

  // The composed tfjs ops instead of the fused kernels (what other backends run): for comparison.
  setFusedKernels(false);
  const composed: number[] = [];
  for (let i = 0; i < REPEATS; i++) composed.push(await watchRate(config, Math.ceil(STEPS / 3)));
  setFusedKernels(true);
  out.watchComposedOps = Math.round(med(composed));
}

/** The step's FLOPs and the matmul kernel alone (kernel-bench.ts). */
function benchKernels(config: Config, out: Out, log: Log): void {
  out.stepFlops = stepFlops(config);
  out.matmulGflops = matmulBench(config);
  log(`step: ${out.stepFlops} FLOP in matmuls; matmul kernel alone: ${JSON.stringify(out.matmulGflops)} GFLOP/s`);
}

/**
 * The PyTorch peer in the same run (../shared/bench/torch_peer.py: the same critic, eager, one
 * thread; plain, hooks, detect_anomaly), when this machine has it.
 */
function benchTorch(out: Out, log: Log): void {
  const script = path.resolve('../shared/bench/torch_peer.py');
  const r = spawnSync('/usr/bin/python3', [script, String(Math.max(STEPS, 1000)), '1'], { encoding: 'utf8' });
  const line = r.stdout?.trim().split('\n').pop();
  out.torch = r.status === 0 && line ? JSON.parse(line) : undefined;
  log(`torch peer: ${line ?? r.stderr?.trim().split('\n').pop() ?? 'not run'}`);
}

/** Tfjs's DEBUG mode on our step and on the loop a tfjs user writes. */
async function benchDebugPeers(config: Config, out: Out, log: Log): Promise<void> {
  // tfjs's own DEBUG mode: every kernel's output is downloaded and checked for NaN.
  const dbgSteps = Math.max(20, Math.ceil(STEPS / 50));
  const debug: number[] = [];
  await withTfjsDebug(async () => {
    for (let i = 0; i < REPEATS; i++) debug.push(await plainRate(config, dbgSteps));
  });
  out.tfjsDebug = Math.round(med(debug) * 10) / 10;
  log(`tfjs DEBUG: ${out.tfjsDebug} steps/s`);

  // The fair peer: DEBUG on the loop a tfjs user writes (composed ops, tf.variableGrads, tf.train.rmsprop).
  await userLoopRate(config, 50);
  const user: number[] = [];
  const userDebug: number[] = [];
  for (let i = 0; i < REPEATS; i++) user.push(await userLoopRate(config, Math.ceil(STEPS / 3)));
  await withTfjsDebug(async () => {
    for (let i = 0; i < REPEATS; i++) userDebug.push(await userLoopRate(config, dbgSteps));
  });
  out.userLoop = Math.round(med(user));
  out.tfjsDebugUserLoop = Math.round(med(userDebug) * 10) / 10;
  log(`user loop: plain ${out.userLoop}, DEBUG ${out.tfjsDebugUserLoop} steps/s`);
}

/** Model.fit of a user's own tfjs model: plain, watched, DEBUG. */
async function benchFit(config: Config, out: Out, log: Log): Promise<void> {
  // A user's own tfjs model: model.fit plain, watched by watchModel, and with tfjs's DEBUG flag.
  await fitRate('plain', 50);
  await fitRate('watched', 50);
  const fit = { plain: [] as number[], watched: [] as number[], debug: [] as number[] };
  for (let i = 0; i < REPEATS; i++) {
    fit.plain.push(await fitRate('plain', STEPS));
    fit.watched.push(await fitRate('watched', STEPS));
    fit.debug.push(await fitRate('debug', Math.max(20, Math.ceil(STEPS / 30))));
  }
  out.fitPlain = Math.round(med(fit.plain));
  out.fitWatched = Math.round(med(fit.watched));
  out.fitDebug = Math.round(med(fit.debug) * 10) / 10;
  log(`model.fit: plain ${out.fitPlain}, watched ${out.fitWatched}, DEBUG ${out.fitDebug} steps/s`);
}

/** 8 seeds in lockstep in one thread, and on worker threads as compare-activations runs them. */
async function benchEnsembles(config: Config, out: Out, log: Log): Promise<void> {
  // 8 seeds as one ensemble in this thread (train/ensemble.ts): what lockstep alone buys.
  const lockstep: number[] = [];
  for (let i = 0; i < REPEATS; i++) lockstep.push(await ensembleRate(config, 8, Math.ceil(STEPS / 2)));
  out.ensemble8OneThread = Math.round(med(lockstep));
  log(`ensemble8OneThread: ${out.ensemble8OneThread} run-steps/s`);

  // 8 seeds at once, as compare-activations runs them (ensembles spread over worker threads, one per core).
  const ens: number[] = [];
  const cells = buildGrid(['relu'], [0, 1, 2, 3, 4, 5, 6, 7]);
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    await runCells({
      job: {
        variants: { relu: { ...config, steps: Math.ceil(STEPS / 2) } },
        file: '<bench>',
        layers: ['l3', 'l3_1', 'l3_2'],
        backend: 'auto',
      },
      cells,
    });
    ens.push((8 * Math.ceil(STEPS / 2)) / ((performance.now() - t0) / 1000));
  }
  out.ensemble8 = Math.round(med(ens));
  log(`ensemble8: ${out.ensemble8} run-steps/s`);
}

/** Loading recorded data: CSV against HDF5. */
async function benchDataLoads(_config: Config, out: Out, log: Log): Promise<void> {
  // Recorded data: 1,000,000 rows of 48 features as CSV and as D4RL-layout HDF5 (the same
  // values), each written and then loaded in child processes (the loader's own peak RSS).
  const dataRows = flag('--csv-rows', 1_000_000);
  if (dataRows > 0) {
    const dir = mkdtempSync(path.join(tmpdir(), 'cd-bench-'));
    const script = new URL('./load-data.js', import.meta.url).pathname;
    const child = (args: string[]) => spawnSync(process.execPath, [script, ...args, '--rows', String(dataRows)], { encoding: 'utf8' });
    try {
      for (const [key, name] of [
        ['csvLoad', 'big.csv'],
        ['hdf5Load', 'big.h5'],
      ] as const) {
        const file = path.join(dir, name);
        const wrote = child([file, '--write']);
        const r = wrote.status === 0 ? child([file]) : wrote;
        out[key] = r.status === 0 ? JSON.parse(r.stdout) : { error: r.stderr.trim().split('\n').pop() };
        log(`${key}: ${r.stdout.trim() || r.stderr.trim().split('\n').pop()}`);
        rmSync(file, { force: true });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
