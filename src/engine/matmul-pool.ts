import { availableParallelism } from 'node:os';
import { isMainThread, Worker } from 'node:worker_threads';
import { transcendentalLoop } from './transcendental.js';
import { SELU_ALPHA, SELU_SCALE } from '../model/activations.js';

/**
 * The second core for our matrix products and transcendental activations: one worker thread with
 * its own instance of the kernels on the same shared memory (the shared-memory build of
 * assembly/), woken through a control block of Int32s with Atomics. A product's rows (an
 * activation's entries) are split between the two threads; every output is
 * computed by the same kernel code in the same summation order whichever thread computes it
 * (assembly/matmul.ts: each C[m, n] summed along k from 0), so one and two threads give the same
 * bits. The main thread blocks in Atomics.wait for the worker's half: a product is microseconds
 * to milliseconds, far below what a message round trip would cost.
 */
export class MatmulPool {
  private readonly control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_INTS));
  /** An activation's α, a float64 beside the Int32 arguments. */
  private readonly alpha = new Float64Array(this.control.buffer, 4 * ALPHA_INT, 1);
  private readonly worker: Worker;
  private seq = 0;

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control: this.control.buffer } });
    // Never keeps the process alive; ended with it.
    this.worker.unref();
  }

  /** Hands the worker C rows of `matmul(a, b, c, M, K, N, sam, sak)`; `join` waits for them. */
  start(a: number, b: number, c: number, M: number, K: number, N: number, sam: number, sak: number): void {
    this.post(OP_MATMUL, [a, b, c, M, K, N, sam, sak]);
  }

  /** Hands the worker entries [from, to) of `transcendentalLoop(code, alpha, …)` over the n floats at pre and out. */
  startActivation(code: number, alpha: number, pre: number, out: number, n: number, from: number, to: number): void {
    this.alpha[0] = alpha;
    this.post(OP_ACTIVATION, [pre, out, n, from, to, code]);
  }

  private post(op: number, args: number[]): void {
    const ctl = this.control;
    ctl[OP] = op;
    ctl.set(args, ARGS);
    this.seq = (this.seq + 1) | 0;
    Atomics.store(ctl, SEQ, this.seq);
    Atomics.notify(ctl, SEQ);
  }

  /** Wakes the worker if it sleeps, so that it spins for the products to come (no product handed). */
  wake(): void {
    Atomics.notify(this.control, SEQ);
  }

  /** Waits until the worker has finished the product `start` handed it. */
  join(): void {
    const ctl = this.control;
    // Spin first: the halves end within microseconds of each other, and a futex wake costs tens.
    for (let spins = 0; ; spins++) {
      const done = Atomics.load(ctl, DONE);
      if (done === this.seq) break;
      if (spins > SPINS) Atomics.wait(ctl, DONE, done);
    }
    // The worker says done even when its work threw, so that this thread never waits forever.
    if (ctl[FAILED]) throw new Error('internal: the second kernel thread failed (CRITIC_DOCTOR_THREADS=1 runs on one)');
  }
}

const SEQ = 0;
const DONE = 1;
const ARGS = 2;
/** Which work the worker does: a product's rows, or some entries of a transcendental activation. */
const OP = 10;
const OP_MATMUL = 0;
const OP_ACTIVATION = 1;
/** Set by the worker when its work threw. */
const FAILED = 11;
/** The float64 α at Int32 index 12 (byte 48). */
const ALPHA_INT = 12;
const CONTROL_INTS = 16;
/** Loads of the control block before sleeping in Atomics.wait (about 20–50 µs): a step's products come close together. */
const SPINS = 20_000;

// The worker: instantiate the kernels on the shared memory, then for each new sequence number run
// the product (or activation entries, with transcendental.ts's own source text) whose arguments
// the control block holds, and say so. CommonJS (eval: true) so that it needs no file of its own:
// the same source serves src/ under vitest, dist/ and the tarball.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const c = new Int32Array(control);
const alpha = new Float64Array(control, ${4 * ALPHA_INT}, 1);
const transcendentalLoop = ${transcendentalLoop.toString()};
function activation() {
  const [pre, out, n, from, to, code] = c.subarray(${ARGS}, ${ARGS + 6});
  // Views made each time: the memory may have grown since the last call.
  const [x, y] = [new Float32Array(memory.buffer, pre, n), new Float32Array(memory.buffer, out, n)];
  transcendentalLoop(code, alpha[0], ${SELU_SCALE}, ${SELU_SCALE * SELU_ALPHA}, x, y, from, to);
}
let seen = 0;
for (;;) {
  // Spin a little for the next product of the step before sleeping until one comes.
  for (let i = 0; i < ${SPINS * 10} && Atomics.load(c, ${SEQ}) === seen; i++);
  Atomics.wait(c, ${SEQ}, seen);
  const seq = Atomics.load(c, ${SEQ});
  if (seq === seen) continue;
  seen = seq;
  try {
    if (c[${OP}] === ${OP_ACTIVATION}) activation();
    else k.matmul(...c.subarray(${ARGS}, ${ARGS + 8}));
  } catch {
    c[${FAILED}] = 1;
  }
  Atomics.store(c, ${DONE}, seq);
  Atomics.notify(c, ${DONE});
}
`;

let threads: number | undefined;

/**
 * How many threads our products use: 2 on the main thread of a machine with two cores or more
 * (compare-activations' and treat's cell workers already fill the cores: 1 there), unless
 * `CRITIC_DOCTOR_THREADS=1` or `setKernelThreads(1)` says one.
 */
export function kernelThreads(): number {
  if (threads === undefined) {
    const env = Number(process.env.CRITIC_DOCTOR_THREADS);
    threads = Number.isInteger(env) && env >= 1 ? Math.min(env, 2) : isMainThread && availableParallelism() >= 2 ? 2 : 1;
  }
  return threads;
}

/** Sets the threads of later steps (tests: one and two threads must give the same bits). */
export function setKernelThreads(n: 1 | 2): void {
  threads = n;
}
