// Clipping and the optimizer updates, TF1's float32 arithmetic op for op (the JS twin and its
// reasons are in src/train/update-kernel.ts and src/train/tf1-arith.ts; a test holds the two
// equal bit for bit). Everything here is elementwise, four lanes at a time, except the clip
// norm's sum, which follows Eigen's order: 8 lane sums (lane j mod 8) over whole packets, a
// scalar tail, then tail + ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)); above 8·1024 values, split
// at a packet boundary near the middle and add the halves.

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** Σ t² (half = 0) or Σ ½t² (L2Loss, half = 1) of t[first .. first + n) in Eigen's order. */
export function eigenSumSq(t: usize, first: i32, n: i32, half: i32): f32 {
  if (n > 8 * 1024) {
    const split = 8 * <i32>Math.ceil(<f64>(first + <i32>Math.ceil(<f64>n / 2)) / 8);
    const left = min(split - first, n);
    let acc: f32 = 0 + eigenSumSq(t, first, left, half);
    if (left < n) acc = acc + eigenSumSq(t, split, n - left, half);
    return acc;
  }
  const vec = n - (n % 8);
  const h = f32x4.splat(0.5);
  let lo = f32x4.splat(0), hi = f32x4.splat(0);
  for (let j = first; j < first + vec; j += 8) {
    const a = v128.load(at(t, j));
    const b = v128.load(at(t, j + 4));
    lo = f32x4.add(lo, half ? f32x4.mul(f32x4.mul(a, a), h) : f32x4.mul(a, a));
    hi = f32x4.add(hi, half ? f32x4.mul(f32x4.mul(b, b), h) : f32x4.mul(b, b));
  }
  let tail: f32 = 0;
  for (let j = first + vec; j < first + n; j++) {
    const x = load<f32>(at(t, j));
    tail = tail + (half ? (x * x) * <f32>0.5 : x * x);
  }
  const b = f32x4.add(lo, hi);
  const packet = (f32x4.extract_lane(b, 0) + f32x4.extract_lane(b, 2)) + (f32x4.extract_lane(b, 1) + f32x4.extract_lane(b, 3));
  return tail + packet;
}

/** out = (g·c) / den (clip_by_norm's last ops, den = max(‖g‖, c)). */
export function clipScale(g: usize, out: usize, n: i32, c: f32, den: f32): void {
  const vc = f32x4.splat(c), vd = f32x4.splat(den);
  let j = 0;
  for (; j + 4 <= n; j += 4) v128.store(at(out, j), f32x4.div(f32x4.mul(v128.load(at(g, j)), vc), vd));
  for (; j < n; j++) store<f32>(at(out, j), (load<f32>(at(g, j)) * c) / den);
}

/** out = g·s (clip_by_global_norm's scaling). */
export function scaleBy(g: usize, out: usize, n: i32, s: f32): void {
  const vs = f32x4.splat(s);
  let j = 0;
  for (; j + 4 <= n; j += 4) v128.store(at(out, j), f32x4.mul(v128.load(at(g, j)), vs));
  for (; j < n; j++) store<f32>(at(out, j), load<f32>(at(g, j)) * s);
}

@inline function rmsLanes(
  p: v128, g: v128, ms: v128, mom: v128, k: v128, lr: v128, eps: v128, mu: v128, inside: i32, hasMom: i32,
  nms: usize, nmom: usize, np: usize, j: i32,
): void {
  const m = f32x4.add(ms, f32x4.mul(f32x4.sub(f32x4.mul(g, g), ms), k));
  v128.store(at(nms, j), m);
  const den = inside ? f32x4.sqrt(f32x4.add(m, eps)) : f32x4.add(f32x4.sqrt(m), eps);
  let step = f32x4.div(f32x4.mul(g, lr), den);
  if (hasMom) {
    step = f32x4.add(f32x4.mul(mom, mu), step);
    v128.store(at(nmom, j), step);
  }
  v128.store(at(np, j), f32x4.sub(p, step));
}

/** TF1's ApplyRMSProp: ms += (g² − ms)·k; step = lr·g / sqrt(ms + ε) (or sqrt(ms) + ε); mom = μ·mom + step; θ −= mom. */
export function rmsprop(
  p: usize, g: usize, ms: usize, mom: usize, np: usize, nms: usize, nmom: usize, n: i32,
  k: f32, lr: f32, eps: f32, mu: f32, inside: i32, hasMom: i32,
): void {
  const vk = f32x4.splat(k), vlr = f32x4.splat(lr), veps = f32x4.splat(eps), vmu = f32x4.splat(mu);
  const zero = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const vm = hasMom ? v128.load(at(mom, j)) : zero;
    rmsLanes(v128.load(at(p, j)), v128.load(at(g, j)), v128.load(at(ms, j)), vm, vk, vlr, veps, vmu, inside, hasMom, nms, nmom, np, j);
  }
  for (; j < n; j++) {
    const gj = load<f32>(at(g, j));
    const m = load<f32>(at(ms, j)) + (gj * gj - load<f32>(at(ms, j))) * k;
    store<f32>(at(nms, j), m);
    const den = inside ? sqrt<f32>(m + eps) : sqrt<f32>(m) + eps;
    let step = (gj * lr) / den;
    if (hasMom) {
      step = load<f32>(at(mom, j)) * mu + step;
      store<f32>(at(nmom, j), step);
    }
    store<f32>(at(np, j), load<f32>(at(p, j)) - step);
  }
}

/** TF1's ApplyAdam: m += (g − m)·k1; v += (g² − v)·k2; θ −= lr_t·m / (sqrt(v) + ε). */
export function adam(
  p: usize, g: usize, m0: usize, v0: usize, np: usize, m1: usize, v1: usize, n: i32,
  k1: f32, k2: f32, lrT: f32, eps: f32,
): void {
  const vk1 = f32x4.splat(k1), vk2 = f32x4.splat(k2), vlr = f32x4.splat(lrT), veps = f32x4.splat(eps);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const gj = v128.load(at(g, j));
    const mj = v128.load(at(m0, j));
    const vj = v128.load(at(v0, j));
    const m = f32x4.add(mj, f32x4.mul(f32x4.sub(gj, mj), vk1));
    const v = f32x4.add(vj, f32x4.mul(f32x4.sub(f32x4.mul(gj, gj), vj), vk2));
    v128.store(at(m1, j), m);
    v128.store(at(v1, j), v);
    v128.store(at(np, j), f32x4.sub(v128.load(at(p, j)), f32x4.div(f32x4.mul(m, vlr), f32x4.add(f32x4.sqrt(v), veps))));
  }
  for (; j < n; j++) {
    const gj = load<f32>(at(g, j));
    const m = load<f32>(at(m0, j)) + (gj - load<f32>(at(m0, j))) * k1;
    const v = load<f32>(at(v0, j)) + (gj * gj - load<f32>(at(v0, j))) * k2;
    store<f32>(at(m1, j), m);
    store<f32>(at(v1, j), v);
    store<f32>(at(np, j), load<f32>(at(p, j)) - (m * lrT) / (sqrt<f32>(v) + eps));
  }
}

/** Gradient descent: acc = μ·acc + g; θ −= acc·lr (hasMom), or θ −= g·lr. */
export function sgd(p: usize, g: usize, acc: usize, np: usize, nacc: usize, n: i32, lr: f32, mu: f32, hasMom: i32): void {
  const vlr = f32x4.splat(lr), vmu = f32x4.splat(mu);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    let d = v128.load(at(g, j));
    if (hasMom) {
      d = f32x4.add(f32x4.mul(v128.load(at(acc, j)), vmu), d);
      v128.store(at(nacc, j), d);
    }
    v128.store(at(np, j), f32x4.sub(v128.load(at(p, j)), f32x4.mul(d, vlr)));
  }
  for (; j < n; j++) {
    let d = load<f32>(at(g, j));
    if (hasMom) {
      d = load<f32>(at(acc, j)) * mu + d;
      store<f32>(at(nacc, j), d);
    }
    store<f32>(at(np, j), load<f32>(at(p, j)) - d * lr);
  }
}

/** out = a − b (each weight's step θ_new − θ_old). */
export function subtract(a: usize, b: usize, out: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) v128.store(at(out, j), f32x4.sub(v128.load(at(a, j)), v128.load(at(b, j))));
  for (; j < n; j++) store<f32>(at(out, j), load<f32>(at(a, j)) - load<f32>(at(b, j)));
}
