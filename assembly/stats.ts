// The watchdog's per-tensor statistics in one pass (src/watch/health-kernel.ts has the same
// computation in JS and decides what a non-finite or over-limit tensor needs beyond it).
//
// Σx² is summed in float64 (x² of a float32 is exact there) in 8 lanes: entry i goes to lane
// i mod 8, each lane summed in order; the lanes are combined as ((l0+l1)+(l2+l3))+((l4+l5)+(l6+l7)),
// then the n mod 8 tail entries are added one by one. max |x| is order-free. The saturated count
// compares |x| with a float32 threshold the caller has rounded down (x > t ⇔ |x| > t32 for
// every float32 x).

/** Writes max|x| (f32 at out), Σx² (f64 at out + 8) and, if thr ≥ 0, #{|x| > thr} (i32 at out + 16). */
export function stats(p: usize, n: i32, thr: f32, out: usize): void {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
  let mx = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const a = v128.load(p + (<usize>i << 2));
    const b = v128.load(p + (<usize>i << 2) + 16);
    // pmax (a < b ? b : a) is one instruction; it may drop a NaN, but a NaN makes Σx² NaN and the
    // caller then classifies every entry itself.
    mx = f32x4.pmax(mx, f32x4.pmax(f32x4.abs(a), f32x4.abs(b)));
    const a0 = f64x2.promote_low_f32x4(a);
    const a1 = f64x2.promote_low_f32x4(i32x4.shuffle(a, a, 2, 3, 0, 1));
    const b0 = f64x2.promote_low_f32x4(b);
    const b1 = f64x2.promote_low_f32x4(i32x4.shuffle(b, b, 2, 3, 0, 1));
    s0 = f64x2.add(s0, f64x2.mul(a0, a0));
    s1 = f64x2.add(s1, f64x2.mul(a1, a1));
    s2 = f64x2.add(s2, f64x2.mul(b0, b0));
    s3 = f64x2.add(s3, f64x2.mul(b1, b1));
  }
  let sum =
    (f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1) + (f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1))) +
    (f64x2.extract_lane(s2, 0) + f64x2.extract_lane(s2, 1) + (f64x2.extract_lane(s3, 0) + f64x2.extract_lane(s3, 1)));
  let m = max(max(f32x4.extract_lane(mx, 0), f32x4.extract_lane(mx, 1)), max(f32x4.extract_lane(mx, 2), f32x4.extract_lane(mx, 3)));
  for (; i < n; i++) {
    const x = load<f32>(p + (<usize>i << 2));
    sum += <f64>x * <f64>x;
    const a = abs(x);
    if (a > m) m = a;
  }
  store<f32>(out, m);
  store<f64>(out + 8, sum);
  if (thr < 0) return;
  const t = f32x4.splat(thr);
  let c = i32x4.splat(0);
  i = 0;
  for (; i + 4 <= n; i += 4) c = i32x4.sub(c, f32x4.gt(f32x4.abs(v128.load(p + (<usize>i << 2))), t));
  let sat = i32x4.extract_lane(c, 0) + i32x4.extract_lane(c, 1) + i32x4.extract_lane(c, 2) + i32x4.extract_lane(c, 3);
  for (; i < n; i++) if (abs(load<f32>(p + (<usize>i << 2))) > thr) sat++;
  store<i32>(out + 16, sat);
}

/**
 * `stats` for many tensors in one call: `table` holds, per tensor, its address, its length and
 * its threshold (float32 bits; negative = no saturated count); row t of `out` (24 bytes) gets
 * that tensor's results as `stats` writes them.
 */
export function statsMany(table: usize, count: i32, out: usize): void {
  for (let t = 0; t < count; t++) {
    const e = table + <usize>t * 12;
    stats(load<u32>(e), load<i32>(e + 4), load<f32>(e + 8), out + <usize>t * 24);
  }
}
