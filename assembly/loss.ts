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
