/**
 * The distance to the limit, as numbers: the step's analytic FLOP count (the matmuls, which are
 * nearly all of it), and the SIMD matmul kernel alone — at the critic's own shapes, and at its
 * best case (a square 64 × 64 × 64 product run hot) — in GFLOP/s.
 */
import type { Config } from '../config/schema.js';
import { kernelMemoryFor } from '../engine/wasm-kernels.js';

/** One product of a step: C (M × N) = A (M × K) · B (K × N), with A or B transposed as the backward needs. */
interface Product {
  M: number;
  K: number;
  N: number;
  transA?: boolean;
  transB?: boolean;
}

/** The products of one training step: x·V per layer, then xᵀ·dXv per layer and dXv·Vᵀ for all but the first. */
export function stepProducts(config: Config): Product[] {
  const B = config.batchSize;
  const dims = [config.network.inputDim + (config.network.actionDim ?? 0), ...config.network.layers.map((l) => l.units)];
  const out: Product[] = [];
  for (let i = 0; i + 1 < dims.length; i++) out.push({ M: B, K: dims[i]!, N: dims[i + 1]! });
  for (let i = 0; i + 1 < dims.length; i++) {
    out.push({ M: dims[i]!, K: B, N: dims[i + 1]!, transA: true });
    if (i > 0) out.push({ M: B, K: dims[i + 1]!, N: dims[i]!, transB: true });
  }
  return out;
}

/** 2·M·K·N summed over the step's products (the elementwise work adds well under 5 %). */
export function stepFlops(config: Config): number {
  return stepProducts(config).reduce((s, p) => s + 2 * p.M * p.K * p.N, 0);
}

/** GFLOP/s of the kernel over `products`, each computed `reps` times from its own buffers. */
function matmulRate(products: Product[], reps: number): number {
  const bufs = products.map((p) => ({
    p,
    a: new Float32Array(p.M * p.K).map((_, i) => (i % 7) * 0.1),
    b: new Float32Array(p.K * p.N).map((_, i) => (i % 5) * 0.1),
    c: new Float32Array(p.M * p.N),
    t: new Float32Array(p.K * p.N),
  }));
  const w = kernelMemoryFor(bufs[0]!.a);
  // Place the operands once, as the kernels find them on the tfjs heap: time the product, not copies.
  const placed = bufs.map(({ p, a, b, c, t }) => ({ p, a: w.input(a), b: w.input(b), c: w.output(c), t: w.temp(t) }));
  const flops = products.reduce((s, p) => s + 2 * p.M * p.K * p.N, 0);
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) {
    for (const { p, a, b, c, t } of placed) {
      if (p.transB) w.k.transpose(b, t, p.N, p.K);
      w.k.matmul(a, p.transB ? t : b, c, p.M, p.K, p.N, p.transA ? 1 : p.K, p.transA ? p.M : 1);
    }
  }
  const s = (performance.now() - t0) / 1000;
  w.end();
  return (flops * reps) / s / 1e9;
}

/** The matmul kernel at the critic's shapes and at its best case, GFLOP/s. */
export function matmulBench(config: Config): { criticShapes: number; best64: number } {
  matmulRate(stepProducts(config), 200); // warm-up
  return {
    criticShapes: Math.round(matmulRate(stepProducts(config), 3000) * 10) / 10,
    best64: Math.round(matmulRate([{ M: 64, K: 64, N: 64 }], 3000) * 10) / 10,
  };
}
