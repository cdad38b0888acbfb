// denseWN's elementwise forward and backward, in float32 op by op in the order of the composed
// tfjs ops (src/engine/dense-wn.ts) and of their JS twins (src/engine/dense-wn-kernels.ts), which
// a test holds equal bit for bit. Column sums (Σ V² over rows, the bias and scaler gradients over
// the batch) add row by row from 0 with the lanes holding different columns, so each is the
// sequential float32 sum. The transcendental activations (elu, tanh, sigmoid, selu) are left to
// the caller, which applies its JS twin's exact function to the pre-activations in place: JS's
// Math.exp and Math.tanh, one loop over the array (a wasm→JS call per entry costs more).

// Activation codes (src/engine/dense-layer-kernels.ts ACT_CODES).
const LINEAR = 0, RELU = 1, LEAKY = 2, ELU = 3, TANH = 4, SIGMOID = 5, SELU = 6;

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** One activation value, as the JS twin's forwardFn (alpha as given, a float64); the transcendental ones pass x through. */
function actScalar(act: i32, x: f32, alpha: f64): f32 {
  if (act == RELU) return x < 0 ? 0 : x;
  if (act == LEAKY) return x < 0 ? <f32>(alpha * <f64>x) : x;
  return x;
}

/**
 * pre = scaler·xv + b (weight norm: norm = sqrt(Σ V²), scaler = g / norm first) or xv + b;
 * act = f(pre) for linear, relu and leaky_relu (the transcendental ones: act = pre, for the caller).
 * xv, pre, act: B × U; V: I × U; b, g, norm, scaler: U. `wn` = 0 for a plain dense layer.
 */
export function denseForward(
  xv: usize, b: usize, V: usize, g: usize, norm: usize, scaler: usize, pre: usize, act: usize,
  B: i32, I: i32, U: i32, wn: i32, code: i32, alpha: f64,
): void {
  if (wn) {
    let u = 0;
    for (; u + 4 <= U; u += 4) {
      let s = f32x4.splat(0);
      for (let i = 0; i < I; i++) {
        const v = v128.load(at(V, i * U + u));
        s = f32x4.add(s, f32x4.mul(v, v));
      }
      const n = f32x4.sqrt(s);
      v128.store(at(norm, u), n);
      v128.store(at(scaler, u), f32x4.div(v128.load(at(g, u)), n));
    }
    for (; u < U; u++) {
      let s: f32 = 0;
      for (let i = 0; i < I; i++) {
        const v = load<f32>(at(V, i * U + u));
        s = s + v * v;
      }
      const n = sqrt<f32>(s);
      store<f32>(at(norm, u), n);
      store<f32>(at(scaler, u), load<f32>(at(g, u)) / n);
    }
  }
  const zero = f32x4.splat(0);
  for (let r = 0; r < B; r++) {
    const row = r * U;
    let u = 0;
    for (; u + 4 <= U; u += 4) {
      const x = v128.load(at(xv, row + u));
      const p = wn ? f32x4.add(f32x4.mul(v128.load(at(scaler, u)), x), v128.load(at(b, u))) : f32x4.add(x, v128.load(at(b, u)));
      v128.store(at(pre, row + u), p);
      if (code == RELU) v128.store(at(act, row + u), v128.bitselect(zero, p, f32x4.lt(p, zero)));
      else if (code == LINEAR) v128.store(at(act, row + u), p);
      else
        for (let j = 0; j < 4; j++) store<f32>(at(act, row + u + j), actScalar(code, load<f32>(at(pre, row + u + j)), alpha));
    }
    for (; u < U; u++) {
      const x = load<f32>(at(xv, row + u));
      const p = wn ? load<f32>(at(scaler, u)) * x + load<f32>(at(b, u)) : x + load<f32>(at(b, u));
      store<f32>(at(pre, row + u), p);
      store<f32>(at(act, row + u), actScalar(code, p, alpha));
    }
  }
}

/** f'(x)·dy from the pre-activation x and output y, four lanes (the JS twin's backwardFn). */
@inline function backLanes(code: i32, x: v128, y: v128, dy: v128, alpha: f32, seluScale32: f32, seluSA32: f32): v128 {
  const one = f32x4.splat(1);
  const pos = f32x4.gt(x, f32x4.splat(0));
  if (code == RELU) return f32x4.mul(dy, v128.bitselect(one, f32x4.splat(0), pos));
  if (code == LEAKY) return f32x4.mul(dy, v128.bitselect(one, f32x4.splat(alpha), pos));
  if (code == ELU) return f32x4.mul(dy, v128.bitselect(one, f32x4.add(y, f32x4.splat(alpha)), pos));
  if (code == TANH) return f32x4.mul(dy, f32x4.sub(one, f32x4.mul(y, y)));
  if (code == SIGMOID) return f32x4.mul(dy, f32x4.mul(y, f32x4.sub(one, y)));
  if (code == SELU) return f32x4.mul(dy, v128.bitselect(f32x4.splat(seluScale32), f32x4.add(y, f32x4.splat(seluSA32)), pos));
  return dy;
}

@inline function backScalar(code: i32, x: f32, y: f32, dy: f32, alpha: f32, seluScale32: f32, seluSA32: f32): f32 {
  if (code == RELU) return dy * <f32>(x > 0 ? 1 : 0);
  if (code == LEAKY) return dy * (x > 0 ? <f32>1 : alpha);
  if (code == ELU) return dy * (x > 0 ? <f32>1 : y + alpha);
  if (code == TANH) return dy * (<f32>1 - y * y);
  if (code == SIGMOID) return dy * (y * (<f32>1 - y));
  if (code == SELU) return dy * (x > 0 ? seluScale32 : y + seluSA32);
  return dy;
}

/**
 * dPre = f'(pre)·dAct and db = Σ_rows dPre; with weight norm also dScaler = Σ_rows dPre·xv,
 * dXv = dPre·scaler, dg = dScaler/‖V‖ and dVNorm = dΣV²·2V (TF's RealDiv, Sqrt, Sum and Square
 * gradients, as dense-wn-kernels.ts). The matmuls are the caller's.
 */
export function denseBackward(
  dAct: usize, pre: usize, y: usize, xv: usize, scaler: usize, norm: usize, g: usize, V: usize,
  dPre: usize, db: usize, dScaler: usize, dXv: usize, dg: usize, dVNorm: usize,
  B: i32, I: i32, U: i32, wn: i32, code: i32, alpha: f32, seluScale32: f32, seluSA32: f32,
): void {
  for (let u = 0; u < U; u++) store<f32>(at(db, u), 0);
  if (wn) for (let u = 0; u < U; u++) store<f32>(at(dScaler, u), 0);
  for (let r = 0; r < B; r++) {
    const row = r * U;
    let u = 0;
    for (; u + 4 <= U; u += 4) {
      const d = backLanes(code, v128.load(at(pre, row + u)), v128.load(at(y, row + u)), v128.load(at(dAct, row + u)), alpha, seluScale32, seluSA32);
      v128.store(at(dPre, row + u), d);
      v128.store(at(db, u), f32x4.add(v128.load(at(db, u)), d));
      if (wn) {
        v128.store(at(dScaler, u), f32x4.add(v128.load(at(dScaler, u)), f32x4.mul(d, v128.load(at(xv, row + u)))));
        v128.store(at(dXv, row + u), f32x4.mul(d, v128.load(at(scaler, u))));
      }
    }
    for (; u < U; u++) {
      const d = backScalar(code, load<f32>(at(pre, row + u)), load<f32>(at(y, row + u)), load<f32>(at(dAct, row + u)), alpha, seluScale32, seluSA32);
      store<f32>(at(dPre, row + u), d);
      store<f32>(at(db, u), load<f32>(at(db, u)) + d);
      if (wn) {
        store<f32>(at(dScaler, u), load<f32>(at(dScaler, u)) + d * load<f32>(at(xv, row + u)));
        store<f32>(at(dXv, row + u), d * load<f32>(at(scaler, u)));
      }
    }
  }
  if (!wn) return;
  for (let u = 0; u < U; u++) {
    const n = load<f32>(at(norm, u));
    const ds = load<f32>(at(dScaler, u));
    store<f32>(at(dg, u), ds / n);
    const dNorm = ds * ((-load<f32>(at(g, u)) / n) / n);
    // dΣV² = dNorm·0.5/‖V‖, kept in dVNorm's first row until the rows below are written.
    store<f32>(at(dVNorm, u), (dNorm * 0.5) / n);
  }
  // Rows from the last to the first, so row 0 (holding dΣV²) is overwritten last.
  for (let i = I - 1; i >= 0; i--) {
    let u = 0;
    for (; u + 4 <= U; u += 4) {
      const v = v128.load(at(V, i * U + u));
      v128.store(at(dVNorm, i * U + u), f32x4.mul(v128.load(at(dVNorm, u)), f32x4.mul(v, f32x4.splat(2))));
    }
    for (; u < U; u++) store<f32>(at(dVNorm, i * U + u), load<f32>(at(dVNorm, u)) * (load<f32>(at(V, i * U + u)) * 2));
  }
}

/** a += b, elementwise (dV = xᵀ·dXv + the term through ‖V‖). */
export function addInto(a: usize, b: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(a, i), f32x4.add(v128.load(at(a, i)), v128.load(at(b, i))));
  for (; i < n; i++) store<f32>(at(a, i), load<f32>(at(a, i)) + load<f32>(at(b, i)));
}

/** act = f(pre), elementwise (a normalised layer's nonlinearity, after its normalisation; transcendental: a copy). */
export function activate(pre: usize, act: usize, n: i32, code: i32, alpha: f64): void {
  let j = 0;
  // relu and linear four at a time, as denseForward does them; the rest one by one.
  if (code == RELU || code == LINEAR) {
    const zero = f32x4.splat(0);
    for (; j + 4 <= n; j += 4) {
      const p = v128.load(at(pre, j));
      v128.store(at(act, j), code == RELU ? v128.bitselect(zero, p, f32x4.lt(p, zero)) : p);
    }
  }
  for (; j < n; j++) store<f32>(at(act, j), actScalar(code, load<f32>(at(pre, j)), alpha));
}

/** d = f'(pre)·dy, elementwise (the nonlinearity's backward before a normalisation's). */
export function activateBackward(pre: usize, y: usize, dy: usize, d: usize, n: i32, code: i32, alpha: f32, seluScale32: f32, seluSA32: f32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const x = v128.load(at(pre, j));
    v128.store(at(d, j), backLanes(code, x, v128.load(at(y, j)), v128.load(at(dy, j)), alpha, seluScale32, seluSA32));
  }
  for (; j < n; j++)
    store<f32>(at(d, j), backScalar(code, load<f32>(at(pre, j)), load<f32>(at(y, j)), load<f32>(at(dy, j)), alpha, seluScale32, seluSA32));
}
