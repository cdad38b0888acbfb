import { fromPosted, type PostedError, type SourceLocation } from '../../config/errors.js';

// The bounds of an HDF5 read on a worker thread, shared by datasets (hdf5-bounded.ts) and Keras
// files (model/hdf5-read.ts): how long it may take, and what its failure becomes.

/**
 * How long the HDF5 library may take over a file before its read is given up: `CRITIC_DOCTOR_HDF5_SECONDS`
 * where set (tests), else `fallback`. A damaged file can make the library loop forever (the fuzz
 * test found one among Keras files), which no timer in the calling thread could interrupt.
 */
export function hdf5Seconds(fallback: number): number {
  const s = Number(process.env.CRITIC_DOCTOR_HDF5_SECONDS);
  return Number.isFinite(s) && s > 0 ? s : fallback;
}

/**
 * What a bounded HDF5 read's failure becomes (util/worker-call.ts's `failed`): a refusal of the
 * reader's kind at `where` — `known` is ConfigError for a model, DataError for a dataset — saying
 * it timed out or how the reader stopped, or the worker's own error as posted.
 */
export function hdf5Failure(
  known: new (message: string, where: SourceLocation) => Error,
  where: SourceLocation,
  crashed: (why: string) => string,
): (why: { timeout?: number; crash?: string; error?: unknown }) => Error {
  return (why) =>
    why.timeout !== undefined
      ? new known(`the HDF5 library had not read it after ${why.timeout} s: a damaged or hostile file`, where)
      : why.crash !== undefined
        ? new known(crashed(why.crash), where)
        : fromPosted(why.error as PostedError, where);
}
