/**
 * PyTorch's own initialisation, drawn as PyTorch 1.13 draws it on the CPU, so that a config with
 * `seed: S` starts from the weights `torch.manual_seed(S)` and the same module construction give:
 * one Mersenne Twister (torch's `at::mt19937`, the standard MT19937) shared by the critic's torch
 * layers in order, as one Python process shares its default generator.
 *
 * - `torch_linear`: `nn.Linear`'s reset_parameters — kaiming_uniform(a=√5) on the [out, in]
 *   weight (bound √3·√(2/(1+a²))/√fan_in, i.e. ≈ 1/√fan_in), then the bias U(±1/√fan_in).
 * - orthogonal (CleanRL's `layer_init(nn.Linear(...), std)`): the Linear's own draws first (the
 *   module is built before layer_init runs), then `init.orthogonal_(w, gain)`: a normal [out, in]
 *   matrix, QR of it (of its transpose when out < in), Q's columns signed by diag(R), times gain.
 *
 * Pinned against torch's own numbers (test/model/torch-init.test.ts, fixtures from
 * scripts/write-torch-fixtures.py). Uniform draws are bit-exact with torch's AVX2 kernels (which
 * fuse `x·(to − from) + from`; an x86 torch without AVX2 rounds twice: ≤ 1 ulp apart). Normal
 * draws follow torch's Box–Muller in blocks of 16 (torch's AVX2 log/sin/cos are approximations:
 * ≈ 1e-6 apart), and QR is ours in double (LAPACK's float32 geqrf in torch): the orthogonal
 * weights agree to float32 rounding, not bit for bit.
 */

const f = Math.fround;
const TWO_POW_24 = 2 ** -24;

/** torch's CPU generator: MT19937 seeded as `manual_seed`, with its cached second normal of a pair. */
export class TorchGenerator {
  private readonly mt = new Uint32Array(624);
  private index = 624;
  private nextNormal: number | null = null;

  constructor(seed: number) {
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = this.mt[i - 1]!;
      this.mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
  }

  /** One 32-bit draw (`engine_()`). */
  random(): number {
    if (this.index >= 624) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < 624; i++) {
      const y = (mt[i]! & 0x80000000) | (mt[(i + 1) % 624]! & 0x7fffffff);
      mt[i] = mt[(i + 397) % 624]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }

  /** `uniform_real_distribution<float>(from, to)`: 24 random bits, then x·(to − from) + from rounded once. */
  uniformFloat(from: number, to: number): number {
    const x = (this.random() & 0xffffff) * TWO_POW_24;
    return f(x * f(f(to) - f(from)) + f(from));
  }

  /** `uniform_real_distribution<double>(0, 1)` on `random64()` (two draws, the first the high word): 53 bits. */
  private uniformDouble(): number {
    const hi = this.random();
    const lo = this.random();
    return ((hi & 0x1fffff) * 4294967296 + lo) * 2 ** -53;
  }

  /** `tensor.normal_(0, 1)` on a float32 tensor of n values. */
  normal(n: number): Float32Array {
    const out = new Float32Array(n);
    if (n >= 16) {
      // normal_fill: n uniforms, Box–Muller on each block of 16; a ragged end redraws the last 16.
      for (let i = 0; i < n; i++) out[i] = this.uniformFloat(0, 1);
      for (let i = 0; i + 16 <= n; i += 16) boxMuller16(out, i);
      if (n % 16 !== 0) {
        for (let i = n - 16; i < n; i++) out[i] = this.uniformFloat(0, 1);
        boxMuller16(out, n - 16);
      }
      return out;
    }
    // The serial path: normal_distribution<double>, whose pair's second value waits in the generator.
    for (let i = 0; i < n; i++) {
      if (this.nextNormal !== null) {
        out[i] = this.nextNormal;
        this.nextNormal = null;
        continue;
      }
      const u1 = this.uniformDouble();
      const u2 = this.uniformDouble();
      const r = Math.sqrt(-2 * Math.log(1 - u2));
      const theta = 2 * Math.PI * u1;
      this.nextNormal = r * Math.sin(theta);
      out[i] = r * Math.cos(theta);
    }
    return out;
  }
}

function boxMuller16(d: Float32Array, at: number): void {
  for (let j = at; j < at + 8; j++) {
    const u1 = f(1 - d[j]!);
    const u2 = d[j + 8]!;
    const radius = f(Math.sqrt(f(-2 * f(Math.log(u1)))));
    const theta = f(f(2 * Math.PI) * u2);
    d[j] = f(radius * f(Math.cos(theta)));
    d[j + 8] = f(radius * f(Math.sin(theta)));
  }
}

/** nn.Linear(fanIn, units)'s own weight ([out, in], row-major) and bias, drawn in that order. */
export function torchLinearDraws(gen: TorchGenerator, fanIn: number, units: number): { weight: Float32Array; bias: Float32Array } {
  const a = Math.sqrt(5);
  const bound = Math.sqrt(3.0) * (Math.sqrt(2.0 / (1 + a ** 2)) / Math.sqrt(fanIn));
  const weight = new Float32Array(units * fanIn);
  for (let i = 0; i < weight.length; i++) weight[i] = gen.uniformFloat(-bound, bound);
  const b = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  const bias = new Float32Array(units);
  for (let i = 0; i < units; i++) bias[i] = gen.uniformFloat(-b, b);
  return { weight, bias };
}

/** `init.orthogonal_(w, gain)` of an [rows, cols] weight (torch's [out, in]), row-major. */
export function torchOrthogonal(gen: TorchGenerator, rows: number, cols: number, gain: number): Float32Array {
  const m = gen.normal(rows * cols);
  // QR of the [rows, cols] draw, or of its transpose when rows < cols (then Q transposed back).
  const tall = rows >= cols;
  const [r, c] = tall ? [rows, cols] : [cols, rows];
  const at = (i: number, j: number) => (tall ? m[i * cols + j]! : m[j * cols + i]!);
  const q = orthonormalColumns(r, c, at);
  const out = new Float32Array(rows * cols);
  const g = f(gain);
  for (let i = 0; i < r; i++)
    for (let j = 0; j < c; j++) {
      const v = f(f(q[j]![i]!) * g);
      if (tall) out[i * cols + j] = v;
      else out[j * cols + i] = v;
    }
  return out;
}

/**
 * Q of A = QR (A r×c, r ≥ c) with R's diagonal positive — what torch's `q * sign(diag(r))` makes
 * of LAPACK's Q — by modified Gram–Schmidt done twice, in double. Columns of Q, each r long.
 */
function orthonormalColumns(r: number, c: number, at: (i: number, j: number) => number): Float64Array[] {
  const q: Float64Array[] = [];
  for (let j = 0; j < c; j++) {
    const v = Float64Array.from({ length: r }, (_, i) => at(i, j));
    for (let pass = 0; pass < 2; pass++)
      for (const u of q) {
        let dot = 0;
        for (let i = 0; i < r; i++) dot += u[i]! * v[i]!;
        for (let i = 0; i < r; i++) v[i] = v[i]! - dot * u[i]!;
      }
    let norm = 0;
    for (let i = 0; i < r; i++) norm += v[i]! * v[i]!;
    norm = Math.sqrt(norm);
    for (let i = 0; i < r; i++) v[i] = v[i]! / norm;
    q.push(v);
  }
  return q;
}
