import { ConfigError } from '../config/errors.js';
import { hdf5Failure, hdf5Seconds } from '../data/recorded/hdf5-limits.js';
import { callOnWorker } from '../util/worker-call.js';
import { currentMaxModelBytes } from './model-budget.js';
import { readKerasH5 } from './keras-h5.js';
import { readKerasZip } from './keras-zip.js';
import type { KerasModel } from './keras-model.js';

const WORKER = new URL('./hdf5-worker.js', import.meta.url);

/**
 * A Keras `.h5` or `.keras` file read on a worker thread (util/worker-call.ts) ended after 10 s
 * (a real critic's file takes well under one): the HDF5 C library (h5wasm) runs synchronously and,
 * on some damaged files, never returns (the fuzz test found one: a block repeated inside the
 * superblock's region).
 */
export function readKerasFile(file: string, kind: 'hdf5' | 'zip'): Promise<KerasModel> {
  return callOnWorker<KerasModel>(
    WORKER,
    { file, kind, maxBytes: currentMaxModelBytes() },
    hdf5Seconds(10),
    hdf5Failure(ConfigError, { file, path: 'network.model' }, (why) => `not a readable Keras file: ${why}`),
    () => (kind === 'hdf5' ? readKerasH5(file) : readKerasZip(file)),
  );
}
