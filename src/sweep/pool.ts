import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/*
 * A pool of worker threads for independent jobs of any kind: the caller names the worker script
 * (a module that calls `serveJobs`) and says how to run a job in this thread. It knows nothing of
 * what a job is; critic-doctor's cells (core/cells.ts) are one user.
 */

/** What the pool sends a worker: a job to run, or "stop the job in progress after its current step". */
export type PoolMessage<J> = { type: 'run'; job: J } | { type: 'stop' };
/** What a worker sends back for each job. */
export type PoolReply<R> = { ok: true; result: R } | { ok: false; error: string };

export interface PoolArgs<J, R> {
  jobs: readonly J[];
  /** The worker script; where it does not exist (running from TypeScript sources) jobs run in this thread. */
  workerUrl: URL;
  /** Runs one job in this thread (one worker asked for, or no worker script). */
  runHere: (job: J, signal?: AbortSignal) => Promise<R>;
  /** Workers to use; default: one per core. 1 runs in this thread, unless `threads` says otherwise. */
  concurrency?: number;
  /** Use worker threads even for one worker (this thread is busy with other work meanwhile). */
  threads?: boolean;
  onResult?: (result: R, done: number, total: number) => void;
  /** Aborting starts no further job; the jobs in progress are asked to stop and their (partial) results kept. */
  signal?: AbortSignal;
  /** A job's name in error messages. */
  describe?: (job: J) => string;
}

/** Whether `workerUrl` names a worker script that exists (compiled code; from TypeScript sources there is none). */
export function workersAvailable(workerUrl: URL): boolean {
  return existsSync(fileURLToPath(workerUrl));
}

/**
 * Runs the jobs, on worker threads when there is more than one worker and a worker script, else
 * one after another in this thread. Results come back in the jobs' order (those of jobs never
 * started after an abort are missing).
 */
export async function runPool<J, R>(args: PoolArgs<J, R>): Promise<{ results: R[]; workers: number }> {
  const { jobs } = args;
  const n = Math.max(1, Math.min(args.concurrency ?? availableParallelism(), jobs.length));
  const results: (R | undefined)[] = new Array(jobs.length);
  let done = 0;
  const finish = (i: number, r: R) => {
    results[i] = r;
    args.onResult?.(r, ++done, jobs.length);
  };
  const kept = () => results.filter((r): r is R => r !== undefined);
  if ((n === 1 && !args.threads) || !workersAvailable(args.workerUrl)) {
    for (const [i, job] of jobs.entries()) {
      if (args.signal?.aborted) break;
      finish(i, await args.runHere(job, args.signal));
    }
    return { results: kept(), workers: 1 };
  }
  const queue = [...jobs.keys()];
  const workers = Array.from({ length: n }, () => new Worker(args.workerUrl));
  const stopAll = () => workers.forEach((w) => w.postMessage({ type: 'stop' } satisfies PoolMessage<J>));
  args.signal?.addEventListener('abort', stopAll, { once: true });
  try {
    await Promise.all(workers.map((w) => drain(w, queue, args, finish)));
  } finally {
    args.signal?.removeEventListener('abort', stopAll);
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return { results: kept(), workers: n };
}

/** One worker takes jobs off the shared queue until it is empty (or the signal aborts). */
function drain<J, R>(w: Worker, queue: number[], args: PoolArgs<J, R>, finish: (i: number, r: R) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let current = -1;
    const next = () => {
      const i = args.signal?.aborted ? undefined : queue.shift();
      if (i === undefined) return resolve();
      current = i;
      w.postMessage({ type: 'run', job: args.jobs[i]! } satisfies PoolMessage<J>);
    };
    w.on('message', (m: PoolReply<R>) => {
      if (!m.ok) return reject(new Error(`${args.describe?.(args.jobs[current]!) ?? `job ${current}`} failed: ${m.error}`));
      finish(current, m.result);
      next();
    });
    w.on('error', reject);
    next();
  });
}
