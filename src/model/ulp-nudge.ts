import { Rng } from '../data/rng.js';

const f = new Float32Array(1);
const u = new Uint32Array(f.buffer);

/** The float32 one ulp away from `v` (up or down); ±0 steps to the smallest subnormal. */
export function ulpStep(v: number, up: boolean): number {
  f[0] = v;
  if (!Number.isFinite(f[0]!)) return f[0]!;
  if (f[0] === 0) return up ? 1.401298464324817e-45 : -1.401298464324817e-45;
  // Away from zero is +1 on the bit pattern whatever the sign; toward zero is −1.
  const away = f[0]! > 0 === up;
  u[0] = away ? u[0]! + 1 : u[0]! - 1;
  return f[0]!;
}

/**
 * A replica's initial parameters: every value of every tensor one float32 ulp up or down, the sign
 * drawn per value from a generator seeded by (seed, replica) — a perturbation at the level of
 * rounding, far below anything a config means, so a diagnosis that changes under it is chaotic.
 */
export function nudgeByUlp(values: Float32Array[], seed: number, replica: number): Float32Array[] {
  const rng = new Rng((seed ^ Math.imul(replica, 0x9e3779b1)) >>> 0);
  return values.map((a) => Float32Array.from(a, (v) => ulpStep(v, rng.next() < 0.5)));
}
