import { parentPort } from 'node:worker_threads';
import type { PoolMessage, PoolReply } from './pool.js';

/**
 * The worker side of the pool (sweep/pool.ts): runs each job it is sent, one at a time. A `stop`
 * aborts the job in progress, which is expected to end after its current step and come back with
 * partial results (the trainer yields to the event loop, so the message gets in).
 */
export function serveJobs<J, R>(run: (job: J, signal: AbortSignal) => Promise<R>): void {
  const port = parentPort!;
  let current: AbortController | null = null;
  port.on('message', (msg: PoolMessage<J>) => {
    if (msg.type === 'stop') {
      current?.abort();
      return;
    }
    const ctl = new AbortController();
    current = ctl;
    run(msg.job, ctl.signal).then(
      (result) => port.postMessage({ ok: true, result } satisfies PoolReply<R>),
      (e: unknown) => port.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) } satisfies PoolReply<R>),
    );
  });
}
