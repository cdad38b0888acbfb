import { ConfigError } from '../config/errors.js';

/**
 * A Keras model file as read, whichever format it came in (legacy `.h5` or Keras 3 `.keras`): its
 * layers as the model config lists them, each layer's weights in the order Keras stores them
 * (Dense: kernel, bias), and what `compile` left in the file (optimizer, loss and the optimizer's
 * variables). Readers fill it; keras-chain.ts and keras-training.ts read it.
 */
export interface KerasModel {
  file: string;
  format: 'h5' | 'keras' | 'onnx' | 'state_dict' | 'tfjs';
  /** `keras_version` (h5 root attribute; .keras metadata.json), "" when the file does not say. */
  kerasVersion: string;
  modelClass: string;
  layers: KerasLayerSpec[];
  /** Each layer's weights by layer name, in storage order; a layer without weights is absent. */
  weights: Map<string, KerasTensor[]>;
  /** `compile`'s optimizer and loss: Keras 2's `training_config`, Keras 3's `compile_config`. */
  training?: { optimizer?: { className: string; config: Record<string, unknown> }; loss?: unknown };
  /** The optimizer's variables as stored: h5 with their names, .keras by index (names "0", "1", …). */
  optimizerVars: KerasTensor[];
}

export interface KerasLayerSpec {
  className: string;
  name: string;
  config: Record<string, unknown>;
  /** The layers this one takes (Functional models); undefined in a Sequential (a chain). */
  inbound?: string[];
}

export interface KerasTensor {
  name: string;
  values: Float32Array;
  shape: number[];
}

/** A ConfigError on `network.model` naming the file (every reader's one way to refuse). */
export function modelError(file: string, why: string): never {
  throw new ConfigError(oneLine(why), { file, path: 'network.model' });
}

type ReaderKey = 'network.model' | 'network.weights';

/**
 * Runs a reader of `file` so that whatever a damaged or hostile file makes it throw ends as one
 * ConfigError of one line: the readers' own refusals as they are, and anything else the parsing
 * libraries throw (HDF5 diagnostics, protobuf range errors, a pickle's broken structure) as "not
 * a readable <what>: <the gist>" — exit 2, never an internal error.
 */
export async function guardReader<T>(file: string, what: string, key: ReaderKey, read: () => Promise<T>): Promise<T> {
  // h5wasm's C library prints "Aborted(…)" on stderr itself when a damaged file makes it abort();
  // the error it then throws says the same, once, in our one line.
  const write = process.stderr.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) =>
    /^Aborted\(/.test(String(chunk)) ? true : (write as (...a: unknown[]) => boolean).call(process.stderr, chunk, ...rest)) as typeof write;
  try {
    return await read();
  } catch (e) {
    throw readerError(e, file, what, key);
  } finally {
    process.stderr.write = write;
  }
}

/** `guardReader` for a reader that returns at once. */
export function guardReaderSync<T>(file: string, what: string, key: ReaderKey, read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw readerError(e, file, what, key);
  }
}

function readerError(e: unknown, file: string, what: string, key: ReaderKey): ConfigError {
  if (e instanceof ConfigError) return e.message.includes('\n') ? new ConfigError(oneLine(e.message), e.location, e.details) : e;
  const gist = oneLine(e instanceof Error ? e.message : String(e));
  return new ConfigError(`not a readable ${what}: ${gist || (e as Error).name}`, { file, path: key });
}

/**
 * A message on one line: its first line, or for HDF5's diagnostic stack (a banner, then one
 * `#NNN: <file> line N in H5X(): <what>` per frame) the innermost and outermost frames' words —
 * "HDF5: message size exceeds buffer end (can't get info for object: '/optimizer_weights')".
 */
export function oneLine(s: string): string {
  const lines = s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (/^HDF5-DIAG/.test(lines[0] ?? '')) {
    const frames = lines.map((l) => /^#\d+: .* in [\w.]+\(\): (.*)$/.exec(l)?.[1]).filter((x): x is string => !!x);
    if (frames.length) return `HDF5: ${frames[frames.length - 1]}${frames.length > 1 ? ` (${frames[0]})` : ''}`.slice(0, 300);
  }
  // V8's RangeError for a structure nested past the stack (a hostile JSON or protobuf), said as what it means.
  return (lines[0] ?? '').replace('Maximum call stack size exceeded', 'nested too deeply to read: it exhausted the stack').slice(0, 300);
}

/** The same for `network.weights` (a PyTorch state_dict). */
export function weightsError(file: string, why: string): never {
  throw new ConfigError(oneLine(why), { file, path: 'network.weights' });
}

interface RawLayer {
  class_name?: string;
  name?: string;
  config?: Record<string, unknown>;
  inbound_nodes?: unknown;
}

/**
 * The layers of a serialized model config (`{class_name, config: {layers}}`, both Keras 2's and
 * Keras 3's vocabulary; a Keras 2 Sequential's config may be the list itself).
 */
export function layersOf(file: string, topology: unknown): { modelClass: string; layers: KerasLayerSpec[] } {
  const t = (topology ?? {}) as { class_name?: string; config?: { layers?: RawLayer[] } | RawLayer[] };
  const cfg = t.config;
  const raw = (Array.isArray(cfg) ? cfg : cfg?.layers) ?? modelError(file, `the model config has no layers (class ${t.class_name})`);
  const layers = raw.map((l) => {
    const config = l.config ?? {};
    const name = String(config.name ?? l.name ?? '?');
    return { className: String(l.class_name ?? '?'), name, config, inbound: inboundNames(l.inbound_nodes) };
  });
  return { modelClass: String(t.class_name ?? '?'), layers };
}

/**
 * The names of the layers a Functional model's layer takes, from either vocabulary: Keras 2's
 * `inbound_nodes: [[["dense", 0, 0, {}]]]` or Keras 3's `[{ args: [{ config: { keras_history:
 * ["dense", 0, 0] } }] }]`. Undefined for a Sequential's layers (no inbound nodes: a chain).
 */
function inboundNames(nodes: unknown): string[] | undefined {
  if (!Array.isArray(nodes) || nodes.length === 0) return undefined;
  const node = nodes[0] as unknown;
  if (Array.isArray(node)) return node.map((t) => String((t as unknown[])[0]));
  const names: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const h = (v as { keras_history?: unknown[] }).keras_history;
      if (Array.isArray(h)) names.push(String(h[0]));
      else Object.values(v).forEach(walk);
    }
  };
  walk((node as { args?: unknown }).args);
  return names;
}

/** `compile`'s settings from Keras 2's training_config or Keras 3's compile_config (same keys, two spellings). */
export function trainingOf(raw: unknown): KerasModel['training'] {
  if (!raw || typeof raw !== 'object') return undefined;
  const t = raw as { optimizer_config?: unknown; optimizer?: unknown; loss?: unknown };
  const o = (t.optimizer_config ?? t.optimizer) as { class_name?: string; config?: Record<string, unknown> } | string | undefined;
  const optimizer =
    typeof o === 'string'
      ? { className: o, config: {} }
      : o && typeof o === 'object' && o.class_name
        ? { className: o.class_name, config: o.config ?? {} }
        : undefined;
  return { optimizer, loss: t.loss };
}

/** A dataset's value as float32: arrays of any numeric type, and scalars (an int64 iteration count is a bigint). */
export function toFloat32(value: unknown): Float32Array {
  if (typeof value === 'number' || typeof value === 'bigint') return Float32Array.of(Number(value));
  return Float32Array.from(value as ArrayLike<number | bigint>, Number);
}
