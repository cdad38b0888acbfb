/** IEEE half precision (torch.float16, safetensors F16) to a number. */
export function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

const scratch = new DataView(new ArrayBuffer(4));

/** bfloat16 (the high 16 bits of a float32: torch.bfloat16, safetensors BF16, TF's DT_BFLOAT16) to a number. */
export function bf16(h: number): number {
  scratch.setUint32(0, (h & 0xffff) << 16);
  return scratch.getFloat32(0);
}
