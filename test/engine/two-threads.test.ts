import { afterAll, expect, it } from 'vitest';
import { runDiagnosis } from '../../src/core/run.js';
import { validateConfig } from '../../src/config/load-config.js';
import { kernelThreads, MatmulPool, setKernelThreads } from '../../src/engine/matmul-pool.js';
import { sharedKernelModule, splitProductCount } from '../../src/engine/wasm-kernels.js';
import { TrainCallback, type StepLogs } from '../../src/train/callbacks.js';

// One and two threads must give the same bits: each product's rows are split between the threads,
// every output summed in the one order whichever thread computes it (assembly/matmul.ts).
// The watchdog's statistics too (computed from the products the threads shared).
class Params extends TrainCallback {
  steps: Buffer[][] = [];
  override onStepEnd(_step: number, logs: StepLogs): void {
    const params = logs.state!.params.map((p) => Buffer.from((p.dataSync() as Float32Array).buffer.slice(0)));
    this.steps.push([
      ...params,
      Buffer.from(logs.stats.buffer.slice(logs.stats.byteOffset, logs.stats.byteOffset + logs.stats.byteLength)),
    ]);
  }
}

async function run(threads: 1 | 2): Promise<Buffer[][]> {
  setKernelThreads(threads);
  // A 256-wide twin Q critic on bootstrapped targets from Polyak targets: both passes, every product large.
  const config = validateConfig({
    steps: 4,
    batchSize: 256,
    network: {
      inputDim: 17,
      actionDim: 6,
      // The action joins the second layer: the first reads each row's state columns (a strided
      // product), the second a gathered cat([h, action], 1), dX its first columns.
      actionAt: 'fc2',
      critics: 2,
      layers: [
        { name: 'fc1', units: 256, activation: 'relu', weightNorm: false, init: 'torch_linear' },
        { name: 'fc2', units: 256, activation: 'elu', weightNorm: false, init: 'torch_linear' },
        // A residual block: fc1's output added to fc3's (the sum's gradient flows to both).
        { name: 'fc3', units: 256, activation: 'linear', weightNorm: false, init: 'torch_linear', residual: 'fc1' },
        { name: 'q', units: 1, weightNorm: false, init: 'torch_linear' },
      ],
    },
    optimizer: { type: 'torch-adam', lr: 0.001 },
    clip: { mode: 'global', norm: 1 },
    data: { source: 'synthetic', transitions: 2048, targets: 'bootstrap', gamma: 0.99, targetNetwork: { tau: 0.01 } },
  });
  const seen = new Params();
  const rep = await runDiagnosis({ loaded: config, callbacks: [seen], backend: 'wasm' });
  expect(rep.stepsRun).toBe(4);
  return seen.steps;
}

// Test files share a fork's modules (vitest.config.ts): leave the setting as this file found it.
const threadsBefore = kernelThreads() as 1 | 2;
afterAll(() => setKernelThreads(threadsBefore));

it('two threads give the same parameters and statistics as one, bit for bit, step after step', async () => {
  const one = await run(1);
  const before = splitProductCount();
  const two = await run(2);
  expect(splitProductCount()).toBeGreaterThan(before);
  expect(two.length).toBe(one.length);
  two.forEach((step, s) => step.forEach((p, i) => expect(p.equals(one[s]![i]!), `step ${s}, parameter (or statistics) ${i}`).toBe(true)));
}, 60_000);

it('a failure on the second thread is an error on the first, not a wait that never ends', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
  const pool = new MatmulPool(sharedKernelModule()!, memory);
  // A product whose C lies past the memory's end: the worker's kernel traps.
  pool.start(0, 0, 1 << 20, 8, 8, 8, 8, 1);
  expect(() => pool.join()).toThrow(/second kernel thread failed/);
  // A product that fits: the flag stays (the thread's state is unknown after a trap), still an error.
  pool.start(0, 0, 1024, 4, 4, 4, 4, 1);
  expect(() => pool.join()).toThrow(/second kernel thread failed/);
});
