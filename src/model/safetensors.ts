import { weightsError } from './keras-model.js';
import type { StateTensor } from './state-tensor.js';
import { bf16, half } from './float16.js';

/**
 * A safetensors file (huggingface/safetensors' format, what `safetensors.torch.save_file` writes):
 * an 8-byte little-endian header length N, N bytes of JSON — `{name: {dtype, shape, data_offsets:
 * [begin, end]}, "__metadata__": {…}}` — then the tensors' bytes, offsets counted from the end of
 * the header. Every length and offset is checked against the file before anything is read; F32,
 * F64, F16 and BF16 are read (as float32), any other dtype is refused naming the tensor.
 */
export function readSafetensors(data: Uint8Array, file: string): StateTensor[] {
  const fail = (why: string): never => weightsError(file, `safetensors: ${why}`);
  if (data.length < 8) fail(`${data.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(data.length - 8)) fail(`the header claims ${n} bytes, the file has ${data.length - 8} after the length`);
  const headerEnd = 8 + Number(n);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(8, headerEnd))) as Record<string, unknown>;
  } catch (e) {
    return fail(`the header is not JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) return fail('the header is not a JSON object');
  const body = data.length - headerEnd;
  const out: StateTensor[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const at = (why: string) => fail(`tensor ${name}: ${why}`);
    const read =
      DTYPES[String(dtype)] ?? at(`dtype ${JSON.stringify(dtype)} is not one critic-doctor reads (${Object.keys(DTYPES).join(', ')})`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) at(`shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0))
      at(`data_offsets ${JSON.stringify(offsets)}`);
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end < begin || end > body) at(`its bytes [${begin}, ${end}) run past the ${body} bytes of data`);
    if (end - begin !== count * read.bytes) at(`[${shape}] of ${dtype} is ${count * read.bytes} bytes, its offsets span ${end - begin}`);
    const values = new Float32Array(count);
    for (let i = 0, o = headerEnd + begin; i < count; i++, o += read.bytes) values[i] = read.get(view, o);
    out.push({ name, shape: shape as number[], values });
  }
  return out;
}

/**
 * Whether `data` starts as a safetensors file: a header length, then `{"` (a JSON object's first
 * key). The length is not trusted here: a file that claims more than it holds is still this
 * format, and readSafetensors says what it claims.
 */
export function isSafetensors(data: Uint8Array): boolean {
  return data.length >= 10 && data[8] === 0x7b && data[9] === 0x22 && data.subarray(0, 8).some((b) => b !== 0);
}

const DTYPES: Record<string, { bytes: number; get: (v: DataView, o: number) => number }> = {
  F32: { bytes: 4, get: (v, o) => v.getFloat32(o, true) },
  F64: { bytes: 8, get: (v, o) => v.getFloat64(o, true) },
  F16: { bytes: 2, get: (v, o) => half(v.getUint16(o, true)) },
  // bfloat16: the high half of a float32.
  BF16: { bytes: 2, get: (v, o) => bf16(v.getUint16(o, true)) },
};
