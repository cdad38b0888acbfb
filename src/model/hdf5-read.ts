import { ConfigError, fromPosted, type PostedError } from '../config/errors.js';
import { callOnWorker } from '../util/worker-call.js';
import { currentMaxModelBytes } from './model-budget.js';
import { readKerasH5 } from './keras-h5.js';
import { readKerasZip } from './keras-zip.js';
import type { KerasModel } from './keras-model.js';

const WORKER = new URL('./hdf5-worker.js', import.meta.url);

/**
 * How long the HDF5 library may take over one Keras file before the read is given up: a real
 * critic's file takes well under a second. `CRITIC_DOCTOR_HDF5_SECONDS` changes it (tests).
 */
function readSeconds(): number {
  const s = Number(process.env.CRITIC_DOCTOR_HDF5_SECONDS);
  return Number.isFinite(s) && s > 0 ? s : 10;
}

/**
 * A Keras `.h5` or `.keras` file read on a worker thread that is ended after readSeconds()
 * (util/worker-call.ts): the HDF5 C library (h5wasm) runs synchronously and, on some damaged
 * files, never returns (the fuzz test found one: a block repeated inside the superblock's region).
 */
export function readKerasFile(file: string, kind: 'hdf5' | 'zip'): Promise<KerasModel> {
  const where = { file, path: 'network.model' };
  return callOnWorker<KerasModel>(
    WORKER,
    { file, kind, maxBytes: currentMaxModelBytes() },
    readSeconds(),
    (why) =>
      why.timeout !== undefined
        ? new ConfigError(`the HDF5 library had not read it after ${why.timeout} s: a damaged or hostile file`, where)
        : why.crash !== undefined
          ? new ConfigError(`not a readable Keras file: ${why.crash}`, where)
          : fromPosted({ ...(why.error as PostedError), location: (why.error as PostedError).location ?? where }),
    () => (kind === 'hdf5' ? readKerasH5(file) : readKerasZip(file)),
  );
}
