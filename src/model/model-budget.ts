import { modelError } from './keras-model.js';

/**
 * How much a model file may make us allocate: checked against what a file *declares* (a dataset's
 * shape, a zip member's inflated size, a tensor's byte count) before any buffer is made, so a
 * hostile or broken file is refused in bounded time and memory instead of exhausting either.
 * 256 MiB by default — 64 million float32 parameters, far beyond any critic — and
 * `network.maxModelBytes` for the rare real model beyond it.
 */
export const DEFAULT_MAX_MODEL_BYTES = 256 * 2 ** 20;

let limit = DEFAULT_MAX_MODEL_BYTES;

/** Sets the limit for the files read next (config loading does, from `network.maxModelBytes`). */
export function setMaxModelBytes(bytes: number | undefined): void {
  limit = bytes ?? DEFAULT_MAX_MODEL_BYTES;
}

/** The limit in force (a reader on another thread is handed it). */
export function currentMaxModelBytes(): number {
  return limit;
}

/**
 * Refuses `what` of `file` when it declares more than the limit allows:
 * "model.weights.h5 inflates to 4.0 GiB, past the 256.0 MiB limit (network.maxModelBytes)" (the error names the file).
 */
export function checkDeclaredBytes(file: string, what: string, bytes: number, verb = 'declares'): void {
  if (!(bytes <= limit)) {
    modelError(file, `${what} ${verb} ${size(bytes)}, past the ${size(limit)} limit (network.maxModelBytes)`);
  }
}

/** What one read of a file has declared so far: each array and their sum within the limit. */
export class ByteBudget {
  private used = 0;
  constructor(private readonly file: string) {}
  /** Counts `bytes` that `what` declares, refusing the file before they are allocated if they do not fit. */
  take(what: string, bytes: number, verb = 'declares'): void {
    checkDeclaredBytes(this.file, what, bytes, verb);
    this.used += bytes;
    checkDeclaredBytes(this.file, `with ${what}, the weights`, this.used, 'come to');
  }
}

/** Bytes of a dataset of `shape` whose elements take `bytesEach`: NaN where the shape is not a list of sizes. */
export function shapeBytes(shape: readonly unknown[] | null | undefined, bytesEach = 4): number {
  if (!Array.isArray(shape)) return 0;
  let n = bytesEach;
  for (const d of shape) {
    if (typeof d !== 'number' && typeof d !== 'bigint') return NaN;
    n *= Number(d);
  }
  return n;
}

function size(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'an unreadable size';
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let u = 0;
  let v = bytes;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} bytes` : `${v.toFixed(1)} ${units[u]}`;
}
