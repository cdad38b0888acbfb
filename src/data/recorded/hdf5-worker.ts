import { parentPort, workerData } from 'node:worker_threads';
import { postedError } from '../../config/errors.js';
import type { RecordedDataConfig } from '../../config/schema.js';
import { buffersOf } from '../../util/worker-call.js';
import { readHdf5 } from './hdf5.js';
import type { BadRowPolicy } from './recorded-data.js';

// A dataset file read on a thread of its own (hdf5-bounded.ts): what it posts back is the rollout,
// its arrays' buffers transferred, or the reader's one-line refusal.
const { file, cfg, policy, actions } = workerData as { file: string; cfg: RecordedDataConfig; policy: BadRowPolicy; actions: boolean };
try {
  const value = await readHdf5(file, cfg, policy, actions);
  try {
    parentPort!.postMessage({ value }, buffersOf(value));
  } catch {
    // A buffer that cannot be handed over (one of the library's own): copied instead.
    parentPort!.postMessage({ value });
  }
} catch (e) {
  parentPort!.postMessage({ error: postedError(e) });
}
