// Batch and layer normalisation before the nonlinearity, in float32 op by op as the composed
// tfjs ops of src/engine/norm-layer.ts (tf.moments, rsqrt, the sums over an axis): every
// statistic is summed along its axis from the first element, then divided by the count;
// rsqrt is 1/sqrt, each rounded.

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

// kind: 0 batch norm in training (statistics of the batch, per unit), 1 batch norm with the
// moving averages (evaluation), 2 layer norm (statistics of each row).

@inline function vld(p: usize, i: i32): v128 {
  return v128.load(at(p, i));
}

@inline function vst(p: usize, i: i32, v: v128): void {
  v128.store(at(p, i), v);
}

// SIMD where it keeps every sum's order: four columns' sums side by side (a lane per column, each
// summed down its rows from the first), and elementwise steps four entries at a time with the
// scalar's operations in its order (f32x4 add, sub, mul and div round as the scalar ones do).
// A row's sum (layer norm's statistics) stays one scalar chain.

/** A group statistic for columns u … u + 3: the row's own (layer norm, splat by the caller) or each column's (batch norm). */
@inline function groupLanes(p: usize, u: i32, layer: bool, row: v128): v128 {
  return layer ? row : vld(p, u);
}

/** Σ over rows r of x[r·U + u] for the columns u0 … u0 + 3 (a lane each), from +0. */
@inline function colSums4(x: usize, u0: i32, B: i32, U: i32): v128 {
  let s = f32x4.splat(0);
  for (let r = 0; r < B; r++) s = f32x4.add(s, vld(x, r * U + u0));
  return s;
}

/** The batch or layer statistics of x: mean and (biased) variance per group, each summed in order. */
function moments(x: usize, mean: usize, variance: usize, B: i32, U: i32, layer: bool): void {
  const groups = layer ? B : U;
  const count = layer ? U : B;
  let j = 0;
  if (!layer) {
    // Batch norm: four columns at a time.
    const n = f32x4.splat(<f32>count);
    for (; j + 4 <= U; j += 4) {
      const m = f32x4.div(colSums4(x, j, B, U), n);
      let d = f32x4.splat(0);
      for (let r = 0; r < B; r++) {
        const e = f32x4.sub(vld(x, r * U + j), m);
        d = f32x4.add(d, f32x4.mul(e, e));
      }
      vst(mean, j, m);
      vst(variance, j, f32x4.div(d, n));
    }
  }
  for (; j < groups; j++) {
    let s: f32 = 0;
    for (let k = 0; k < count; k++) s = s + load<f32>(at(x, layer ? j * U + k : k * U + j));
    const m = s / <f32>count;
    let d: f32 = 0;
    for (let k = 0; k < count; k++) {
      const e = load<f32>(at(x, layer ? j * U + k : k * U + j)) - m;
      d = d + e * e;
    }
    store<f32>(at(mean, j), m);
    store<f32>(at(variance, j), d / <f32>count);
  }
}

/**
 * out = γ·(x − μ)·invStd + β with invStd = 1/sqrt(σ² + ε); x, xhat, out: B × U. mean, variance,
 * invStd: U (batch) or B (layer); for kind 1, mean and variance are the moving averages (read).
 */
export function normForward(
  x: usize, gamma: usize, beta: usize, mean: usize, variance: usize, invStd: usize, xhat: usize, out: usize,
  B: i32, U: i32, kind: i32, eps: f32,
): void {
  const layer = kind == 2;
  const groups = layer ? B : U;
  if (kind != 1) moments(x, mean, variance, B, U, layer);
  for (let j = 0; j < groups; j++) store<f32>(at(invStd, j), <f32>1 / sqrt<f32>(load<f32>(at(variance, j)) + eps));
  const U4 = U & ~3;
  for (let r = 0; r < B; r++) {
    const mr = f32x4.splat(layer ? load<f32>(at(mean, r)) : 0);
    const ir = f32x4.splat(layer ? load<f32>(at(invStd, r)) : 0);
    for (let u = 0; u < U4; u += 4) {
      const i = r * U + u;
      const h = f32x4.mul(f32x4.sub(vld(x, i), groupLanes(mean, u, layer, mr)), groupLanes(invStd, u, layer, ir));
      vst(xhat, i, h);
      vst(out, i, f32x4.add(f32x4.mul(h, vld(gamma, u)), vld(beta, u)));
    }
    for (let u = U4; u < U; u++) {
      const g = layer ? r : u;
      const h = (load<f32>(at(x, r * U + u)) - load<f32>(at(mean, g))) * load<f32>(at(invStd, g));
      store<f32>(at(xhat, r * U + u), h);
      store<f32>(at(out, r * U + u), h * load<f32>(at(gamma, u)) + load<f32>(at(beta, u)));
    }
  }
}

/**
 * Training-mode backward: dγ = Σ_rows dy·x̂, dβ = Σ_rows dy, dx̂ = dy·γ and
 * dx = (invStd/n)·((dx̂·n − Σ dx̂) − x̂·Σ(dx̂·x̂)), the last two sums over the normalised axis
 * (s1, s2: scratch of U floats for batch norm, B for layer norm; dxhat: B × U scratch).
 */
export function normBackward(
  dy: usize, xhat: usize, invStd: usize, gamma: usize, dx: usize, dGamma: usize, dBeta: usize,
  dxhat: usize, s1: usize, s2: usize, B: i32, U: i32, kind: i32,
): void {
  const layer = kind == 2;
  const U4 = U & ~3;
  // dγ, dβ: four columns at a time, then the rest.
  for (let u = 0; u < U4; u += 4) {
    let sg = f32x4.splat(0), sb = f32x4.splat(0);
    for (let r = 0; r < B; r++) {
      const d = vld(dy, r * U + u);
      sg = f32x4.add(sg, f32x4.mul(d, vld(xhat, r * U + u)));
      sb = f32x4.add(sb, d);
    }
    vst(dGamma, u, sg);
    vst(dBeta, u, sb);
  }
  for (let u = U4; u < U; u++) {
    let sg: f32 = 0, sb: f32 = 0;
    for (let r = 0; r < B; r++) {
      const d = load<f32>(at(dy, r * U + u));
      sg = sg + d * load<f32>(at(xhat, r * U + u));
      sb = sb + d;
    }
    store<f32>(at(dGamma, u), sg);
    store<f32>(at(dBeta, u), sb);
  }
  for (let r = 0; r < B; r++) {
    for (let u = 0; u < U4; u += 4) vst(dxhat, r * U + u, f32x4.mul(vld(dy, r * U + u), vld(gamma, u)));
    for (let u = U4; u < U; u++) store<f32>(at(dxhat, r * U + u), load<f32>(at(dy, r * U + u)) * load<f32>(at(gamma, u)));
  }
  normGroupSums(dxhat, xhat, s1, s2, B, U, layer);
  const count = layer ? U : B;
  const n = <f32>count;
  const nv = f32x4.splat(n);
  for (let r = 0; r < B; r++) {
    const a1 = f32x4.splat(layer ? load<f32>(at(s1, r)) : 0);
    const a2 = f32x4.splat(layer ? load<f32>(at(s2, r)) : 0);
    const ai = f32x4.splat(layer ? load<f32>(at(invStd, r)) : 0);
    for (let u = 0; u < U4; u += 4) {
      const i = r * U + u;
      const t1 = groupLanes(s1, u, layer, a1);
      const inner = f32x4.sub(f32x4.sub(f32x4.mul(vld(dxhat, i), nv), t1), f32x4.mul(vld(xhat, i), groupLanes(s2, u, layer, a2)));
      vst(dx, i, f32x4.mul(f32x4.div(groupLanes(invStd, u, layer, ai), nv), inner));
    }
    for (let u = U4; u < U; u++) {
      const g = layer ? r : u;
      const i = r * U + u;
      const inner = (load<f32>(at(dxhat, i)) * n - load<f32>(at(s1, g))) - load<f32>(at(xhat, i)) * load<f32>(at(s2, g));
      store<f32>(at(dx, i), (load<f32>(at(invStd, g)) / n) * inner);
    }
  }
}

/** s1 = Σ dx̂ and s2 = Σ dx̂·x̂ over the normalised axis: per column (batch, four at a time) or per row (layer). */
function normGroupSums(dxhat: usize, xhat: usize, s1: usize, s2: usize, B: i32, U: i32, layer: bool): void {
  const groups = layer ? B : U;
  const count = layer ? U : B;
  let j = 0;
  if (!layer) {
    for (; j + 4 <= U; j += 4) {
      let a = f32x4.splat(0), b = f32x4.splat(0);
      for (let r = 0; r < B; r++) {
        const d = vld(dxhat, r * U + j);
        a = f32x4.add(a, d);
        b = f32x4.add(b, f32x4.mul(d, vld(xhat, r * U + j)));
      }
      vst(s1, j, a);
      vst(s2, j, b);
    }
  }
  for (; j < groups; j++) {
    let a: f32 = 0, b: f32 = 0;
    for (let k = 0; k < count; k++) {
      const i = layer ? j * U + k : k * U + j;
      const d = load<f32>(at(dxhat, i));
      a = a + d;
      b = b + d * load<f32>(at(xhat, i));
    }
    store<f32>(at(s1, j), a);
    store<f32>(at(s2, j), b);
  }
}

/** m ← m·μ + s·(1 − μ), both factors float32 (batch norm's moving averages). */
export function movingAverage(m: usize, s: usize, out: usize, n: i32, mu: f32, oneMinusMu: f32): void {
  for (let j = 0; j < n; j++) store<f32>(at(out, j), load<f32>(at(m, j)) * mu + load<f32>(at(s, j)) * oneMinusMu);
}
