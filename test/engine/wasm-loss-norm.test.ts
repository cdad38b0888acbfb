import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kernelMemoryFor } from '../../src/engine/wasm-kernels.js';
import { mseJs } from '../../src/train/loss-kernel.js';

/**
 * The loss and normalisation kernels (assembly/loss.ts, norm.ts) against scalar references written
 * here from their documented definitions, Math.fround op by op, on random data with sizes 1, odd
 * and > 64 and non-finite entries. (The whole step's tests compare the same kernels with the
 * composed tfjs ops to float32 rounding; these pin the order.)
 */
const f = Math.fround;
const same = (x: Float32Array, y: ArrayLike<number>) => x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
const value = fc.oneof(
  { weight: 30, arbitrary: fc.float({ min: -100, max: 100, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 3e38) },
);
const vec = (n: number) => fc.array(value, { minLength: n, maxLength: n }).map((a) => Float32Array.from(a));
const size = fc.oneof(fc.constantFrom(1, 3, 64, 65, 67), fc.integer({ min: 1, max: 90 }));

/** Runs kernel `name` on copies of `ins` with outputs of the given sizes; returns the outputs. */
function call(name: string, ins: Float32Array[], outSizes: number[], scalars: number[]): Float32Array[] {
  const outs = outSizes.map((n) => new Float32Array(n));
  const w = kernelMemoryFor(ins[0]!);
  const p = ins.map((v) => w.input(v));
  const o = outs.map((v) => w.output(v));
  (w.k as unknown as Record<string, (...a: number[]) => void>)[name]!(...p, ...o, ...scalars);
  w.end();
  return outs;
}

describe('the loss kernels equal their scalar definitions bit for bit', () => {
  it('mse: error = t − v, loss = (Σ error², in order) / n, dv = −((error·2)·float32(1/n))', () => {
    fc.assert(
      fc.property(
        size.chain((n) => fc.tuple(vec(n), vec(n))),
        ([t, v]) => {
          const n = t.length;
          const [error, loss, dv] = call('mse', [t, v], [n, 1, n], [n, f(1 / n)]);
          const e = t.map((x, j) => f(x - v[j]!));
          let s = 0;
          for (const x of e) s = f(s + f(x * x));
          const ok =
            same(error!, e) &&
            same(loss!, [f(s / n)]) &&
            same(
              dv!,
              Array.from(e, (x) => -f(f(x * 2) * f(1 / n))),
            );
          // The JS twin (runtimes without WebAssembly SIMD) gives the same.
          const twin = [new Float32Array(n), new Float32Array(1), new Float32Array(n)] as const;
          mseJs(t, v, ...twin);
          return ok && same(twin[0], error!) && same(twin[1], loss!) && same(twin[2], dv!);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('huber: ½q² + δ(|e| − q), q = min(|e|, δ) keeping NaN; dv = −(clip(e, −δ, δ)/n)', () => {
    fc.assert(
      fc.property(
        size.chain((n) => fc.tuple(vec(n), vec(n))),
        fc.constantFrom(1, 0.5, 10),
        ([t, v], delta) => {
          const n = t.length;
          const [error, loss, dv] = call('huber', [t, v], [n, 1, n], [n, delta]);
          const d = f(delta);
          const e = t.map((x, j) => f(x - v[j]!));
          let s = 0;
          const g: number[] = [];
          for (const x of e) {
            const a = Math.abs(x);
            const q = d < a ? d : a;
            s = f(s + f(f(f(q * q) * 0.5) + f(f(a - q) * d)));
            g.push(-f((x < -d ? -d : x > d ? d : x) / n));
          }
          return same(error!, e) && same(loss!, [f(s / n)]) && same(dv!, g);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('returnNormalize: (t − mean)/(sqrt(variance) + ε), mean and variance summed in order', () => {
    fc.assert(
      fc.property(
        size.chain((n) => vec(n)),
        (t) => {
          const n = t.length;
          const eps = f(1e-8);
          const [out] = call('returnNormalize', [t], [n], [n, eps]);
          let s = 0;
          for (const x of t) s = f(s + x);
          const m = f(s / n);
          let d = 0;
          for (const x of t) d = f(d + f(f(x - m) * f(x - m)));
          const den = f(f(Math.sqrt(f(d / n))) + eps);
          return same(
            out!,
            Array.from(t, (x) => f(f(x - m) / den)),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('bootstrapTarget: partial + discount·v(s′) where discount > 0, else partial', () => {
    fc.assert(
      fc.property(
        size.chain((n) => fc.tuple(vec(n), vec(n), vec(n))),
        ([partial, discount, vNext]) => {
          const n = partial.length;
          const [out] = call('bootstrapTarget', [partial, discount, vNext], [n], [n]);
          return same(
            out!,
            Array.from(partial, (p, j) => (discount[j]! > 0 ? f(p + f(discount[j]! * vNext[j]!)) : p)),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});

/** The normalisation's forward and backward, scalar, as assembly/norm.ts documents them. */
function refNorm(
  x: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  dy: Float32Array,
  B: number,
  U: number,
  layer: boolean,
  eps: number,
) {
  const groups = layer ? B : U;
  const count = layer ? U : B;
  const idx = (j: number, k: number) => (layer ? j * U + k : k * U + j);
  const mean = new Float32Array(groups);
  const variance = new Float32Array(groups);
  const invStd = new Float32Array(groups);
  for (let j = 0; j < groups; j++) {
    let s = 0;
    for (let k = 0; k < count; k++) s = f(s + x[idx(j, k)]!);
    mean[j] = f(s / count);
    let d = 0;
    for (let k = 0; k < count; k++) d = f(d + f(f(x[idx(j, k)]! - mean[j]!) * f(x[idx(j, k)]! - mean[j]!)));
    variance[j] = f(d / count);
    invStd[j] = f(1 / f(Math.sqrt(f(variance[j]! + f(eps)))));
  }
  const xhat = new Float32Array(B * U);
  const out = new Float32Array(B * U);
  for (let r = 0; r < B; r++)
    for (let u = 0; u < U; u++) {
      const g = layer ? r : u;
      xhat[r * U + u] = f(f(x[r * U + u]! - mean[g]!) * invStd[g]!);
      out[r * U + u] = f(f(xhat[r * U + u]! * gamma[u]!) + beta[u]!);
    }
  const dGamma = new Float32Array(U);
  const dBeta = new Float32Array(U);
  for (let u = 0; u < U; u++)
    for (let r = 0; r < B; r++) {
      dGamma[u] = f(dGamma[u]! + f(dy[r * U + u]! * xhat[r * U + u]!));
      dBeta[u] = f(dBeta[u]! + dy[r * U + u]!);
    }
  const dxhat = dy.map((d, i) => f(d * gamma[i % U]!));
  const s1 = new Float32Array(groups);
  const s2 = new Float32Array(groups);
  for (let j = 0; j < groups; j++)
    for (let k = 0; k < count; k++) {
      s1[j] = f(s1[j]! + dxhat[idx(j, k)]!);
      s2[j] = f(s2[j]! + f(dxhat[idx(j, k)]! * xhat[idx(j, k)]!));
    }
  const dx = new Float32Array(B * U);
  for (let r = 0; r < B; r++)
    for (let u = 0; u < U; u++) {
      const g = layer ? r : u;
      const i = r * U + u;
      dx[i] = f(f(invStd[g]! / count) * f(f(f(dxhat[i]! * count) - s1[g]!) - f(xhat[i]! * s2[g]!)));
    }
  return { mean, variance, invStd, xhat, out, dGamma, dBeta, dx };
}

describe('the normalisation kernels equal their scalar definitions bit for bit', () => {
  for (const [kind, layer] of [
    [0, false],
    [2, true],
  ] as const) {
    it(`${layer ? 'layer' : 'batch'} norm: forward statistics, x̂, output; backward dγ, dβ, dx`, () => {
      fc.assert(
        fc.property(
          fc
            .tuple(fc.constantFrom(1, 3, 64, 65), fc.constantFrom(1, 5, 32, 67))
            .chain(([B, U]) => fc.tuple(fc.constant([B, U] as const), vec(B * U), vec(U), vec(U), vec(B * U))),
          ([[B, U], x, gamma, beta, dy]) => {
            const eps = f(1e-3);
            const groups = layer ? B : U;
            const ref = refNorm(x, gamma, beta, dy, B, U, layer, eps);
            const [mean, variance, invStd, xhat, out] = call(
              'normForward',
              [x, gamma, beta],
              [groups, groups, groups, B * U, B * U],
              [B, U, kind, eps],
            );
            const fwd =
              same(mean!, ref.mean) &&
              same(variance!, ref.variance) &&
              same(invStd!, ref.invStd) &&
              same(xhat!, ref.xhat) &&
              same(out!, ref.out);
            const [dx, dGamma, dBeta] = call(
              'normBackward',
              [dy, ref.xhat, ref.invStd, gamma],
              [B * U, U, U, B * U, groups, groups],
              [B, U, kind],
            );
            return fwd && same(dx!, ref.dx) && same(dGamma!, ref.dGamma) && same(dBeta!, ref.dBeta);
          },
        ),
        { numRuns: 30 },
      );
    });
  }

  it('movingAverage: m·μ + s·(1 − μ), float32 factors', () => {
    const m = Float32Array.of(1, -2, 0.5, NaN);
    const s = Float32Array.of(3, 4, -1, 2);
    const [mu, rest] = [f(0.99), f(1 - 0.99)];
    const [out] = call('movingAverage', [m, s], [4], [4, mu, rest]);
    expect(
      same(
        out!,
        Array.from(m, (x, j) => f(f(x * mu) + f(s[j]! * rest))),
      ),
    ).toBe(true);
  });
});

describe('the activation kernels a normalised layer uses equal their scalar definitions bit for bit', () => {
  const codes = { linear: 0, relu: 1, leaky_relu: 2, elu: 3, tanh: 4, sigmoid: 5, selu: 6 } as const;
  const [scale, sa] = [f(1.0507009873554805), f(1.0507009873554805 * 1.6732632423543772)];
  /** dense-wn-kernels.ts's backwardFn, the JS twin. */
  const back = (code: number, x: number, y: number, dy: number, a: number): number => {
    if (code === 1) return f(dy * (x > 0 ? 1 : 0));
    if (code === 2) return f(dy * (x > 0 ? 1 : a));
    if (code === 3) return f(dy * (x > 0 ? 1 : f(y + a)));
    if (code === 4) return f(dy * f(1 - f(y * y)));
    if (code === 5) return f(dy * f(y * f(1 - y)));
    if (code === 6) return f(dy * (x > 0 ? scale : f(y + sa)));
    return dy;
  };
  for (const [name, code] of Object.entries(codes)) {
    it(`${name}: activate (relu, leaky_relu; the others pass pre through for JS) and activateBackward`, () => {
      fc.assert(
        fc.property(
          size.chain((n) => fc.tuple(vec(n), vec(n), vec(n))),
          ([pre, y, dy]) => {
            const alpha = 0.2;
            const n = pre.length;
            const [act] = call('activate', [pre], [n], [n, code, alpha]);
            const want = pre.map((x) => (code === 1 ? (x < 0 ? 0 : x) : code === 2 && x < 0 ? f(alpha * x) : x));
            const [d] = call('activateBackward', [pre, y, dy], [n], [n, code, f(alpha), scale, sa]);
            return (
              same(act!, want) &&
              same(
                d!,
                pre.map((x, i) => back(code, x, y[i]!, dy[i]!, f(alpha))),
              )
            );
          },
        ),
        { numRuns: 40 },
      );
    });
  }
});
