import { statSync } from 'node:fs';
import { DataError } from '../../config/errors.js';
import { hdf5Failure, hdf5Seconds } from './hdf5-limits.js';
import type { RecordedDataConfig } from '../../config/schema.js';
import { callOnWorker } from '../../util/worker-call.js';
import { readHdf5, type Hdf5Layout } from './hdf5.js';
import type { BadRowPolicy, RecordedRollout } from './recorded-data.js';

const WORKER = new URL('./hdf5-worker.js', import.meta.url);

/**
 * `readHdf5` on a worker thread (util/worker-call.ts), ended after 10 s and a second more per 5 MB
 * of file (a compressed offline-RL dataset of 100 MB reads in a few seconds here); its arrays are
 * handed over, not copied.
 */
export function readHdf5Bounded(
  file: string,
  cfg: RecordedDataConfig,
  policy: BadRowPolicy,
  actions: boolean,
): Promise<RecordedRollout & { layout: Hdf5Layout }> {
  return callOnWorker(
    WORKER,
    { file, cfg, policy, actions },
    hdf5Seconds(10 + Math.ceil(statSync(file).size / 5e6)),
    hdf5Failure(DataError, { file }, (why) => `cannot read the HDF5 file (${why})`),
    () => readHdf5(file, cfg, policy, actions),
  );
}
