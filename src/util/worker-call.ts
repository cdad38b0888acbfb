import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** What a bounded worker posts back: its value, or its error as plain data. */
type WorkerReply<T> = { value: T } | { error: unknown };

/**
 * Runs `script` (a worker module beside the caller's, compiled) with `data` on a thread of its own
 * and resolves with what it posts, ending it after `seconds`: a call into a C library compiled to
 * wasm (the HDF5 library) runs synchronously and may never return on a damaged file, which no
 * timer in the calling thread could interrupt. `failed` makes the error for a timeout, a crash
 * or the worker's own error; `inThread` runs the same call here where there is no compiled script
 * (TypeScript sources under vitest).
 */
export function callOnWorker<T>(
  script: URL,
  data: unknown,
  seconds: number,
  failed: (why: { timeout?: number; crash?: string; error?: unknown }) => Error,
  inThread: () => Promise<T>,
): Promise<T> {
  if (!existsSync(fileURLToPath(script))) return inThread();
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: data });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(failed({ timeout: seconds }));
    }, seconds * 1000);
    const done = () => clearTimeout(timer);
    worker.once('message', (m: WorkerReply<T>) => {
      done();
      void worker.terminate();
      if ('value' in m) resolve(m.value);
      else reject(failed({ error: m.error }));
    });
    worker.once('error', (e) => {
      done();
      reject(failed({ crash: e.message.split('\n')[0] }));
    });
    worker.once('exit', (code) => {
      done();
      reject(failed({ crash: `its reader stopped (exit ${code})` }));
    });
  });
}

/** Every ArrayBuffer a value's typed arrays hold, once each: the transfer list for posting it without a copy. */
export function buffersOf(value: unknown, out = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer) out.add(value.buffer);
  else if (Array.isArray(value)) for (const v of value) buffersOf(v, out);
  else if (value && typeof value === 'object' && !(value instanceof ArrayBuffer)) for (const v of Object.values(value)) buffersOf(v, out);
  return [...out];
}
