import { parentPort, workerData } from 'node:worker_threads';
import { postedError } from '../config/errors.js';
import { setMaxModelBytes } from './model-budget.js';
import { readKerasH5 } from './keras-h5.js';
import { readKerasZip } from './keras-zip.js';

// A Keras file read on a thread of its own (hdf5-read.ts): what it posts back is the model, or
// the reader's one-line refusal.
const { file, kind, maxBytes } = workerData as { file: string; kind: 'hdf5' | 'zip'; maxBytes: number };
setMaxModelBytes(maxBytes);
try {
  parentPort!.postMessage({ value: kind === 'hdf5' ? await readKerasH5(file) : await readKerasZip(file) });
} catch (e) {
  parentPort!.postMessage({ error: postedError(e) });
}
