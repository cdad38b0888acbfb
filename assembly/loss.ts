// The critic's loss side: the bootstrapped target and the MSE, in float32 op by op as the
// composed tfjs ops (src/train/step.ts, src/train/loss.ts), with one documented sum: the mean of
// the squared errors adds them in float32 from the first row, then divides by their count.

@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** target = discount > 0 ? partial + discount·vNext : partial (a row that ended bootstraps nothing). */
export function bootstrapTarget(partial: usize, discount: usize, vNext: usize, target: usize, n: i32): void {
  for (let j = 0; j < n; j++) {
    const d = load<f32>(at(discount, j));
    const p = load<f32>(at(partial, j));
    store<f32>(at(target, j), d > 0 ? p + d * load<f32>(at(vNext, j)) : p);
  }
}

/** error = target − v; loss = (Σ error²) / n; dv = −((error·2)·(1/n)), 1/n rounded to float32 first. */
export function mse(target: usize, v: usize, error: usize, loss: usize, dv: usize, n: i32, invN: f32): void {
  let s: f32 = 0;
  for (let j = 0; j < n; j++) {
    const e = load<f32>(at(target, j)) - load<f32>(at(v, j));
    store<f32>(at(error, j), e);
    s = s + e * e;
    store<f32>(at(dv, j), -((e * 2) * invN));
  }
  store<f32>(loss, s / <f32>n);
}

/**
 * TF1's huber_loss (mean): per entry ½·q² + δ·(|e| − q) with q = min(|e|, δ); loss = their sum in
 * float32 from the first row, divided by n; dv = −(clip(e, −δ, δ) / n). A NaN error stays NaN in
 * the loss; its gradient is then the caller's to define (see huber in src/train/loss.ts).
 */
export function huber(target: usize, v: usize, error: usize, loss: usize, dv: usize, n: i32, delta: f32): void {
  let s: f32 = 0;
  const nf = <f32>n;
  for (let j = 0; j < n; j++) {
    const e = load<f32>(at(target, j)) - load<f32>(at(v, j));
    store<f32>(at(error, j), e);
    const a = abs(e);
    const q = delta < a ? delta : a; // min(|e|, δ), a NaN kept
    s = s + ((q * q) * <f32>0.5 + (a - q) * delta);
    const c = e < -delta ? -delta : e > delta ? delta : e;
    store<f32>(at(dv, j), -(c / nf));
  }
  store<f32>(loss, s / nf);
}

/** out = (t − mean(t)) / (sqrt(var(t)) + ε) over all n entries (tf.moments, then the composed ops). */
export function returnNormalize(t: usize, out: usize, n: i32, eps: f32): void {
  let s: f32 = 0;
  for (let j = 0; j < n; j++) s = s + load<f32>(at(t, j));
  const m = s / <f32>n;
  let d: f32 = 0;
  for (let j = 0; j < n; j++) {
    const e = load<f32>(at(t, j)) - m;
    d = d + e * e;
  }
  const den = sqrt<f32>(d / <f32>n) + eps;
  for (let j = 0; j < n; j++) store<f32>(at(out, j), (load<f32>(at(t, j)) - m) / den);
}
