import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ConfigError, type SourceLocation } from '../config/errors.js';
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
 * A Keras `.h5` or `.keras` file read on a worker thread that is ended after readSeconds():
 * the HDF5 C library (h5wasm) runs synchronously and, on some damaged files, never returns (the
 * fuzz test found one: a block repeated inside the superblock's region), which no timer in this
 * thread could interrupt. From TypeScript sources (no worker script) the read runs here.
 */
export function readKerasFile(file: string, kind: 'hdf5' | 'zip'): Promise<KerasModel> {
  if (!existsSync(fileURLToPath(WORKER))) return kind === 'hdf5' ? readKerasH5(file) : readKerasZip(file);
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { file, kind, maxBytes: currentMaxModelBytes() } });
    const where = { file, path: 'network.model' };
    const seconds = readSeconds();
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new ConfigError(`the HDF5 library had not read it after ${seconds} s: a damaged or hostile file`, where));
    }, seconds * 1000);
    const done = () => clearTimeout(timer);
    worker.once(
      'message',
      (m: { model?: KerasModel; error?: { known: boolean; message: string; location?: SourceLocation; details?: string[] } }) => {
        done();
        void worker.terminate();
        if (m.model) resolve(m.model);
        else if (m.error?.known) reject(new ConfigError(m.error.message, m.error.location ?? where, m.error.details));
        else reject(new Error(m.error?.message ?? 'the HDF5 reader failed'));
      },
    );
    worker.once('error', (e) => {
      done();
      reject(new ConfigError(`not a readable Keras file: ${e.message.split('\n')[0]}`, where));
    });
    worker.once('exit', (code) => {
      done();
      reject(new ConfigError(`not a readable Keras file: its reader stopped (exit ${code})`, where));
    });
  });
}
