// Matrix products for the critic's step, 128-bit SIMD, no FMA (wasm SIMD has none outside
// relaxed-simd, which the build does not enable).
//
// The one summation order: every output C[m, n] is accumulated sequentially along the shared
// dimension, k = 0, 1, …, K − 1, starting from +0, each product rounded to float32 before it is
// added (acc = acc + a·b, both rounded). The SIMD lanes hold different outputs (columns n..n+3),
// never parts of one sum, so every lane equals the scalar loop bit for bit; register tiling only
// changes which outputs are computed together.

// A(m, k) is read at a + 4·(m·sam + k·sak): x·V has (sam, sak) = (K, 1); xᵀ·dY reads x in place
// with (1, M). B is row-major K × N, C row-major M × N.

@inline function ld(p: usize, i: i32): f32 {
  return load<f32>(p + (<usize>i << 2));
}

@inline function st(p: usize, i: i32, v: f32): void {
  store<f32>(p + (<usize>i << 2), v);
}

@inline function vld(p: usize, i: i32): v128 {
  return v128.load(p + (<usize>i << 2));
}

@inline function vst(p: usize, i: i32, v: v128): void {
  v128.store(p + (<usize>i << 2), v);
}

@inline function madd(acc: v128, a: f32, b: v128): v128 {
  return f32x4.add(acc, f32x4.mul(f32x4.splat(a), b));
}

/** Four rows × eight columns starting at (m, n). */
@inline function tile4x8(a: usize, b: usize, c: usize, m: i32, n: i32, K: i32, N: i32, sam: i32, sak: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let ak = m * sam;
  for (let k = 0; k < K; k++) {
    const b0 = vld(b, k * N + n);
    const b1 = vld(b, k * N + n + 4);
    const a0 = ld(a, ak), a1 = ld(a, ak + sam), a2 = ld(a, ak + 2 * sam), a3 = ld(a, ak + 3 * sam);
    c00 = madd(c00, a0, b0); c01 = madd(c01, a0, b1);
    c10 = madd(c10, a1, b0); c11 = madd(c11, a1, b1);
    c20 = madd(c20, a2, b0); c21 = madd(c21, a2, b1);
    c30 = madd(c30, a3, b0); c31 = madd(c31, a3, b1);
    ak += sak;
  }
  const r = m * N + n;
  vst(c, r, c00); vst(c, r + 4, c01);
  vst(c, r + N, c10); vst(c, r + N + 4, c11);
  vst(c, r + 2 * N, c20); vst(c, r + 2 * N + 4, c21);
  vst(c, r + 3 * N, c30); vst(c, r + 3 * N + 4, c31);
}

/** Four rows × four columns. */
@inline function tile4x4(a: usize, b: usize, c: usize, m: i32, n: i32, K: i32, N: i32, sam: i32, sak: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let ak = m * sam;
  for (let k = 0; k < K; k++) {
    const b0 = vld(b, k * N + n);
    c0 = madd(c0, ld(a, ak), b0);
    c1 = madd(c1, ld(a, ak + sam), b0);
    c2 = madd(c2, ld(a, ak + 2 * sam), b0);
    c3 = madd(c3, ld(a, ak + 3 * sam), b0);
    ak += sak;
  }
  const r = m * N + n;
  vst(c, r, c0); vst(c, r + N, c1); vst(c, r + 2 * N, c2); vst(c, r + 3 * N, c3);
}

/** One row × eight columns. */
@inline function tile1x8(a: usize, b: usize, c: usize, m: i32, n: i32, K: i32, N: i32, sam: i32, sak: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  let ak = m * sam;
  for (let k = 0; k < K; k++) {
    const a0 = ld(a, ak);
    c0 = madd(c0, a0, vld(b, k * N + n));
    c1 = madd(c1, a0, vld(b, k * N + n + 4));
    ak += sak;
  }
  vst(c, m * N + n, c0);
  vst(c, m * N + n + 4, c1);
}

/** One row × four columns. */
@inline function tile1x4(a: usize, b: usize, c: usize, m: i32, n: i32, K: i32, N: i32, sam: i32, sak: i32): void {
  let c0 = f32x4.splat(0);
  let ak = m * sam;
  for (let k = 0; k < K; k++) {
    c0 = madd(c0, ld(a, ak), vld(b, k * N + n));
    ak += sak;
  }
  vst(c, m * N + n, c0);
}

/** One output, the scalar loop every lane above equals. */
@inline function dot1(a: usize, b: usize, m: i32, n: i32, K: i32, N: i32, sam: i32, sak: i32): f32 {
  let s: f32 = 0;
  let ak = m * sam;
  for (let k = 0; k < K; k++) {
    s = s + ld(a, ak) * ld(b, k * N + n);
    ak += sak;
  }
  return s;
}

/** C = A·B (M × K times K × N), A strided as above. */
export function matmul(a: usize, b: usize, c: usize, M: i32, K: i32, N: i32, sam: i32, sak: i32): void {
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    let n = 0;
    for (; n + 8 <= N; n += 8) tile4x8(a, b, c, m, n, K, N, sam, sak);
    for (; n + 4 <= N; n += 4) tile4x4(a, b, c, m, n, K, N, sam, sak);
    for (; n < N; n++) for (let r = 0; r < 4; r++) st(c, (m + r) * N + n, dot1(a, b, m + r, n, K, N, sam, sak));
  }
  for (; m < M; m++) {
    let n = 0;
    for (; n + 8 <= N; n += 8) tile1x8(a, b, c, m, n, K, N, sam, sak);
    for (; n + 4 <= N; n += 4) tile1x4(a, b, c, m, n, K, N, sam, sak);
    for (; n < N; n++) st(c, m * N + n, dot1(a, b, m, n, K, N, sam, sak));
  }
}

/**
 * dst (C × R) = srcᵀ for src R × C: dY·Vᵀ runs as matmul(dY, Vᵀ) so B stays row-major. Moves
 * bits only. In 4 × 4 blocks (four row loads, eight shuffles, four column stores): one entry at
 * a time, every store strided by R, took ~0.2 ms of a 256-wide critic's step.
 */
export function transpose(src: usize, dst: usize, R: i32, C: i32): void {
  const R4 = R & ~3;
  const C4 = C & ~3;
  for (let r = 0; r < R4; r += 4) {
    for (let c = 0; c < C4; c += 4) {
      const r0 = vld(src, r * C + c);
      const r1 = vld(src, (r + 1) * C + c);
      const r2 = vld(src, (r + 2) * C + c);
      const r3 = vld(src, (r + 3) * C + c);
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
      const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      vst(dst, c * R + r, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
      vst(dst, (c + 1) * R + r, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
      vst(dst, (c + 2) * R + r, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
      vst(dst, (c + 3) * R + r, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
    }
    for (let c = C4; c < C; c++) for (let q = r; q < r + 4; q++) st(dst, c * R + q, ld(src, q * C + c));
  }
  for (let r = R4; r < R; r++) for (let c = 0; c < C; c++) st(dst, c * R + r, ld(src, r * C + c));
}
