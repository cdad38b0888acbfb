// Batch and layer normalisation before the nonlinearity, in float32 op by op as the composed
// tfjs ops of src/engine/norm-layer.ts (tf.moments, rsqrt, the sums over an axis): every
// statistic is summed along its axis from the first element, then divided by the count;
// rsqrt is 1/sqrt, each rounded.

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

// kind: 0 batch norm in training (statistics of the batch, per unit), 1 batch norm with the
// moving averages (evaluation), 2 layer norm (statistics of each row).

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
  const count = layer ? U : B;
  if (kind != 1) {
    for (let j = 0; j < groups; j++) {
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
  for (let j = 0; j < groups; j++) store<f32>(at(invStd, j), <f32>1 / sqrt<f32>(load<f32>(at(variance, j)) + eps));
  for (let r = 0; r < B; r++) {
    for (let u = 0; u < U; u++) {
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
  for (let u = 0; u < U; u++) {
    let sg: f32 = 0, sb: f32 = 0;
    for (let r = 0; r < B; r++) {
      const d = load<f32>(at(dy, r * U + u));
      sg = sg + d * load<f32>(at(xhat, r * U + u));
      sb = sb + d;
    }
    store<f32>(at(dGamma, u), sg);
    store<f32>(at(dBeta, u), sb);
  }
  for (let r = 0; r < B; r++)
    for (let u = 0; u < U; u++) store<f32>(at(dxhat, r * U + u), load<f32>(at(dy, r * U + u)) * load<f32>(at(gamma, u)));
  const groups = layer ? B : U;
  const count = layer ? U : B;
  for (let j = 0; j < groups; j++) {
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
  const n = <f32>count;
  for (let r = 0; r < B; r++) {
    for (let u = 0; u < U; u++) {
      const g = layer ? r : u;
      const i = r * U + u;
      const inner = (load<f32>(at(dxhat, i)) * n - load<f32>(at(s1, g))) - load<f32>(at(xhat, i)) * load<f32>(at(s2, g));
      store<f32>(at(dx, i), (load<f32>(at(invStd, g)) / n) * inner);
    }
  }
}

/** m ← m·μ + s·(1 − μ), both factors float32 (batch norm's moving averages). */
export function movingAverage(m: usize, s: usize, out: usize, n: i32, mu: f32, oneMinusMu: f32): void {
  for (let j = 0; j < n; j++) store<f32>(at(out, j), load<f32>(at(m, j)) * mu + load<f32>(at(s, j)) * oneMinusMu);
}
