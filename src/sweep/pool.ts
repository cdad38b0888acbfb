import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { runCellGroup, type CellJob, type CellResult } from './cell-result.js';
import type { WorkerMessage } from './cell-worker.js';
import type { Cell } from './grid.js';

/** Whether cells can go to worker threads (compiled code; from TypeScript sources there is no worker script). */
export function workersAvailable(): boolean {
  return import.meta.url.endsWith('.js');
}

export interface PoolArgs {
  job: CellJob;
  cells: Cell[];
  /** Workers to use; default: one per core. 1 runs in this thread, unless `threads` says otherwise. */
  concurrency?: number;
  /** Use worker threads even for one worker (this thread is busy with other work meanwhile). */
  threads?: boolean;
  onCellDone?: (r: CellResult, done: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * The most cells a worker trains together as one ensemble (their results come back when all are
 * done). Measured on this project's machines (wasm and cpu backends, 2 cores): lockstep saves
 * dispatches, but a step here is bound by the matmuls and the fused kernels' arithmetic, not by
 * dispatch, and each extra member in lockstep adds tfjs bookkeeping (more live tensors per scope)
 * and cache pressure: 8 seeds on 2 workers ran 587–625 run-steps/s one cell per job, 501–581 two
 * per job, and in one thread 2/4/8 members ran ~5/12/25 % slower per member than 1. So each job is
 * one cell and the workers do the parallel work; `runCellGroup` (cells with replicas) and
 * `run --replicas` (a share per thread) still train several runs as one ensemble, each member
 * exactly its lone run.
 */
export const MAX_ENSEMBLE = 1;

/**
 * The cells in ensembles for `workers` threads: as few groups as give every worker one (at most
 * MAX_ENSEMBLE cells each), cells dealt round-robin so each group mixes activations and seeds.
 */
export function ensembleGroups<C>(cells: readonly C[], workers: number, most = MAX_ENSEMBLE): C[][] {
  const count = Math.max(Math.min(workers, cells.length), Math.ceil(cells.length / most));
  const groups: C[][] = Array.from({ length: count }, () => []);
  cells.forEach((c, i) => groups[i % count]!.push(c));
  return groups.filter((g) => g.length);
}

/**
 * Runs independent cells in groups, each group one ensemble (train/ensemble.ts), the groups in
 * parallel on worker threads (each with its own wasm backend), or in this thread when one worker
 * is asked for or when running from TypeScript sources (tests), where there is no compiled worker
 * script. Results come back in grid order. When `signal` aborts, no further group starts and the
 * groups in progress stop after their current step: their partial results (status `interrupted`)
 * come back with the finished ones.
 */
export async function runCells(args: PoolArgs): Promise<{ results: CellResult[]; workers: number }> {
  const { cells } = args;
  const workerUrl = new URL('./cell-worker.js', import.meta.url);
  const compiled = workersAvailable();
  const n = Math.max(1, Math.min(args.concurrency ?? availableParallelism(), cells.length));
  const results: CellResult[] = [];
  let done = 0;
  const finish = (r: CellResult) => {
    results.push(r);
    done++;
    args.onCellDone?.(r, done, cells.length);
  };
  if ((n === 1 && !args.threads) || !compiled) {
    for (const g of ensembleGroups(cells, 1)) {
      if (args.signal?.aborted) break;
      (await runCellGroup(args.job, g, args.signal)).forEach(finish);
    }
    return { results: sortByIndex(results), workers: 1 };
  }
  const queue = ensembleGroups(cells, n);
  const workers = Array.from({ length: n }, () => new Worker(workerUrl));
  const send = (w: Worker, m: WorkerMessage) => w.postMessage(m);
  const stopAll = () => workers.forEach((w) => send(w, { type: 'stop' }));
  args.signal?.addEventListener('abort', stopAll, { once: true });
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const next = () => {
              const group = args.signal?.aborted ? undefined : queue.shift();
              if (!group) return resolve();
              send(w, { type: 'run', job: args.job, cells: group });
            };
            w.on('message', (m: { ok: true; results: CellResult[] } | { ok: false; error: string; cells: Cell[] }) => {
              if (!m.ok) return reject(new Error(`runs ${m.cells.map(cellName).join(', ')} failed: ${m.error}`));
              m.results.forEach(finish);
              next();
            });
            w.on('error', reject);
            next();
          }),
      ),
    );
  } finally {
    args.signal?.removeEventListener('abort', stopAll);
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return { results: sortByIndex(results), workers: n };
}

function cellName(c: Cell): string {
  return `${c.variant ?? c.activation} seed ${c.seed}`;
}

function sortByIndex(rs: CellResult[]): CellResult[] {
  return rs.sort((a, b) => a.index - b.index);
}
