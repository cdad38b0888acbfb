import { unzipSync } from 'fflate';
import { zipDirectoryProblem } from '../../util/zip-directory.js';
import { DataError } from '../../config/errors.js';
import { readNpy, type NumericArray } from './npy.js';

/** The arrays of an .npz archive (numpy's np.savez: a zip of NAME.npy files), read with fflate. */
export function readNpz(bytes: Uint8Array, file: string): Map<string, () => NumericArray> {
  let entries: Record<string, Uint8Array>;
  const lie = zipDirectoryProblem(bytes);
  if (lie) throw new DataError(`not a readable .npz (zip) archive: ${lie}`, { file });
  try {
    entries = unzipSync(bytes);
  } catch (e) {
    throw new DataError(`not a readable .npz (zip) archive: ${(e as Error).message}`, { file });
  }
  const out = new Map<string, () => NumericArray>();
  for (const [name, data] of Object.entries(entries)) {
    if (!name.endsWith('.npy')) continue;
    const key = name.slice(0, -4);
    out.set(key, () => readNpy(data, { file, path: `array ${key}` }));
  }
  return out;
}
