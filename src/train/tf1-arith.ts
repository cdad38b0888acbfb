/**
 * TF1's float32 arithmetic where it is not simply "each op rounded": the constants its kernels
 * derive from hyper-parameters, and the order in which its CPU kernels (Eigen) add up a reduction.
 * Pinned against numbers worked out by hand in test/train/tf1-arith.test.ts.
 */

const f = Math.fround;

/**
 * `static_cast<T>(1) - rho()` in TF1's ApplyRMSProp / ApplyAdam: the hyper-parameter is a float32
 * tensor first, then subtracted from 1 in float32. For ρ = 0.99 that is 0.0099999905, not
 * float32(0.01) = 0.0099999998.
 */
export function oneMinus(x: number): number {
  return f(1 - f(x));
}

/**
 * Eigen's packet width for float in TF 1.x's pip builds (AVX since TF 1.6): the full reductions
 * below keep 8 running lane sums.
 */
const PACKET = 8;
/** Eigen's `kLeafSize`: above PACKET·kLeafSize values a full reduction splits in two halves. */
const LEAF = 1024;

/**
 * A full float32 sum as Eigen's vectorised `InnerMostDimReducer` computes it on one thread (TF1's
 * `reduce_sum(t)` over all axes, e.g. in `clip_by_norm`): above 8·1024 values split at a packet
 * boundary near the middle and add the halves; below, 8 lane sums over the whole packets, a
 * scalar sum over the tail, then `tail + ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7))` (AVX's
 * `predux`). `term(j)` gives value j already rounded to float32.
 *
 * TF's thread pool splits a reduction only when its cost model asks for more than one thread,
 * i.e. above roughly 250k values; tensors that large follow this single-thread order here, which
 * is then not TF's.
 */
export function eigenSum(n: number, term: (j: number) => number): number {
  return reduce(0, n, term);
}

function reduce(first: number, n: number, term: (j: number) => number): number {
  if (n > PACKET * LEAF) {
    const split = PACKET * Math.ceil((first + Math.ceil(n / 2)) / PACKET);
    const left = Math.min(split - first, n);
    let acc = f(0 + reduce(first, left, term));
    if (left < n) acc = f(acc + reduce(split, n - left, term));
    return acc;
  }
  const vec = n - (n % PACKET);
  let l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0; // prettier-ignore
  for (let j = first; j < first + vec; j += PACKET) {
    l0 = f(l0 + term(j));
    l1 = f(l1 + term(j + 1));
    l2 = f(l2 + term(j + 2));
    l3 = f(l3 + term(j + 3));
    l4 = f(l4 + term(j + 4));
    l5 = f(l5 + term(j + 5));
    l6 = f(l6 + term(j + 6));
    l7 = f(l7 + term(j + 7));
  }
  let tail = 0;
  for (let j = first + vec; j < first + n; j++) tail = f(tail + term(j));
  // _mm_add_ps(low half, high half), then _mm_movehl_ps, then _mm_shuffle_ps(…, 1).
  const b0 = f(l0 + l4), b1 = f(l1 + l5), b2 = f(l2 + l6), b3 = f(l3 + l7); // prettier-ignore
  const packet = f(f(b0 + b2) + f(b1 + b3));
  return f(tail + packet);
}

/** Σ t² over a whole tensor in Eigen's order (TF1's `reduce_sum(t * t)`). */
export function eigenSumOfSquares(t: Float32Array): number {
  return eigenSum(t.length, (j) => f(t[j]! * t[j]!));
}

/** TF1's `L2Loss` kernel, `(t.square() * 0.5).sum()`: what `clip_by_global_norm` adds up. */
export function eigenHalfSumOfSquares(t: Float32Array): number {
  return eigenSum(t.length, (j) => f(f(t[j]! * t[j]!) * 0.5));
}

/**
 * The step size TF1's ApplyAdam computes at iteration `t` (1-based):
 * `lr · sqrt(1 − β2ᵗ) / (1 − β1ᵗ)` in float32, where βᵗ is AdamOptimizer's `beta_power` variable,
 * multiplied by β in float32 once per step (so not float32(βᵗ)).
 */
export function adamStepSize(lr: number, beta1: number, beta2: number, t: number): number {
  const b1 = betaPower(beta1, t);
  const b2 = betaPower(beta2, t);
  return f(f(f(lr) * f(Math.sqrt(oneMinus(b2)))) / oneMinus(b1));
}

/**
 * Adam's ε at step t as TF1's update adds it to √v: ε itself (TF1, Keras), or for PyTorch's Adam,
 * which adds ε to the bias-corrected √v̂ = √v/√(1−β2ᵗ), the same ε scaled by √(1−β2ᵗ) (float32).
 */
export function adamEpsilon(epsilon: number, beta2: number, t: number, biasCorrected = false): number {
  return biasCorrected ? f(f(epsilon) * f(Math.sqrt(oneMinus(betaPower(beta2, t))))) : f(epsilon);
}

// The last power computed per β, so a run's step t + 1 costs one multiplication, not t.
const powers = new Map<number, { t: number; value: number }>();

function betaPower(beta: number, t: number): number {
  const b = f(beta);
  let memo = powers.get(b);
  if (!memo || memo.t > t) memo = { t: 1, value: b };
  let { value } = memo;
  for (let k = memo.t; k < t; k++) value = f(value * b);
  powers.set(b, { t, value });
  return value;
}

/**
 * AdamW's `param.mul_(1 - lr * weight_decay)`: the factor is worked out in double (Python) and
 * rounded to float32 once, as the scalar of a float32 tensor's mul.
 */
export function decayFactor(lr: number, weightDecay: number): number {
  return f(1 - lr * weightDecay);
}
