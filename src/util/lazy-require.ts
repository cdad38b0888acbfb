import { createRequire } from 'node:module';

/**
 * `require` for the CommonJS readers of one format each (onnx-proto, protobufjs, @msgpack/msgpack),
 * called where a file of that format is read: loaded at startup they cost every command — a
 * config error, `--version` — ~200 ms before it can say anything. Synchronous, so the readers stay so.
 */
export const lazyRequire = createRequire(import.meta.url);
