import { statSync } from 'node:fs';
import { DataError, fromPosted, type PostedError } from '../../config/errors.js';
import type { RecordedDataConfig } from '../../config/schema.js';
import { callOnWorker } from '../../util/worker-call.js';
import { readHdf5, type Hdf5Layout } from './hdf5.js';
import type { BadRowPolicy, RecordedRollout } from './recorded-data.js';

const WORKER = new URL('./hdf5-worker.js', import.meta.url);

/**
 * How long the HDF5 library may take over a dataset file: 10 s, and a second more per 5 MB of
 * file (a compressed offline-RL dataset of 100 MB reads in a few seconds here). A damaged file
 * can make the library loop forever (the fuzz test found one among Keras files, the same reader).
 * `CRITIC_DOCTOR_HDF5_SECONDS` sets it (tests).
 */
function readSeconds(file: string): number {
  const s = Number(process.env.CRITIC_DOCTOR_HDF5_SECONDS);
  if (Number.isFinite(s) && s > 0) return s;
  return 10 + Math.ceil(statSync(file).size / 5e6);
}

/** `readHdf5` on a worker thread ended after readSeconds() (util/worker-call.ts); its arrays are handed over, not copied. */
export function readHdf5Bounded(
  file: string,
  cfg: RecordedDataConfig,
  policy: BadRowPolicy,
  actions: boolean,
): Promise<RecordedRollout & { layout: Hdf5Layout }> {
  return callOnWorker(
    WORKER,
    { file, cfg, policy, actions },
    readSeconds(file),
    (why) =>
      why.timeout !== undefined
        ? new DataError(`the HDF5 library had not read it after ${why.timeout} s: a damaged or hostile file`, { file })
        : why.crash !== undefined
          ? new DataError(`cannot read the HDF5 file (${why.crash})`, { file })
          : fromPosted({ ...(why.error as PostedError), location: (why.error as PostedError).location ?? { file } }),
    () => readHdf5(file, cfg, policy, actions),
  );
}
