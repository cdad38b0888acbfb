import { closeSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { zipDirectoryProblem } from '../util/zip-directory.js';
import { isSafetensors } from './safetensors.js';
import { isMsgpackMap } from './flax-msgpack.js';

/**
 * What a model or weights file is, by its bytes (never its name, except ONNX, whose protobuf has no
 * magic number): the one table every loader asks, so a file given under the wrong key is named —
 * "critic.safetensors is a safetensors file: give it as network.weights" — instead of failing in
 * the wrong reader with its bytes printed.
 */
export type ModelFormat =
  'keras-zip' | 'torch-zip' | 'sb3-zip' | 'zip' | 'hdf5' | 'safetensors' | 'tf-index' | 'pickle' | 'msgpack' | 'onnx' | 'json' | 'unknown';

const NAMES: Record<ModelFormat, string> = {
  'keras-zip': 'a Keras 3 .keras file',
  'torch-zip': 'a torch.save file',
  'sb3-zip': 'a Stable-Baselines3 save',
  zip: 'a zip archive',
  hdf5: 'an HDF5 file (a Keras .h5?)',
  safetensors: 'a safetensors file',
  'tf-index': 'a TensorFlow checkpoint index',
  pickle: "a pickle (torch.save's legacy format?)",
  msgpack: 'a msgpack file (Flax)',
  onnx: 'an ONNX file',
  json: 'a JSON file (a tfjs model.json?)',
  unknown: 'a file of no format critic-doctor reads',
};

/** Which key takes each format. */
const KEY: Partial<Record<ModelFormat, 'network.model' | 'network.weights'>> = {
  'keras-zip': 'network.model',
  hdf5: 'network.model',
  onnx: 'network.model',
  json: 'network.model',
  'torch-zip': 'network.weights',
  'sb3-zip': 'network.weights',
  safetensors: 'network.weights',
  'tf-index': 'network.weights',
  pickle: 'network.weights',
  msgpack: 'network.weights',
};

export function modelFormat(file: string): ModelFormat {
  let head: Uint8Array;
  let size: number;
  try {
    size = statSync(file).size;
    head = readAt(file, 0, 16);
  } catch {
    return 'unknown';
  }
  if (head[0] === 0x89 && head[1] === 0x48 && head[2] === 0x44 && head[3] === 0x46) return 'hdf5';
  if (isSafetensors(head)) return 'safetensors';
  if (head[0] === 0x50 && head[1] === 0x4b) return zipKind(file);
  if (size >= 48 && Buffer.from(readAt(file, size - 8, 8)).readBigUInt64LE(0) === 0xdb4775248b80fb57n) return 'tf-index';
  if (head[0] === 0x80) return 'pickle';
  if (isMsgpackMap(head)) return 'msgpack';
  if (file.toLowerCase().endsWith('.onnx')) return 'onnx';
  const first = Buffer.from(head).toString('utf8').trimStart()[0];
  return first === '{' ? 'json' : 'unknown';
}

/**
 * The one-line refusal for a file of another format than `key` takes, or null when it is one the
 * key takes (its own reader then says what else is wrong).
 */
export function wrongKey(file: string, key: 'network.model' | 'network.weights'): string | null {
  const f = modelFormat(file);
  const wants = KEY[f];
  if (!wants || wants === key) return null;
  const how = wants === 'network.weights' ? ' (beside inputDim and the layers it fills)' : '';
  return `${path.basename(file)} is ${NAMES[f]}: give it as ${wants}${how}`;
}

/** A zip's kind from its member names (listed from the central directory, nothing inflated). */
function zipKind(file: string): ModelFormat {
  const names: string[] = [];
  try {
    const data = readAt(file, 0, statSync(file).size);
    if (zipDirectoryProblem(data)) return 'zip';
    unzipSync(data, { filter: (m) => (names.push(m.name), false) });
  } catch {
    return 'zip';
  }
  if (names.includes('config.json') && names.includes('model.weights.h5')) return 'keras-zip';
  if (names.includes('policy.pth')) return 'sb3-zip';
  if (names.some((n) => n.endsWith('data.pkl'))) return 'torch-zip';
  return 'zip';
}

function readAt(file: string, at: number, n: number): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, at);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}
