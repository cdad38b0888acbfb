import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import fc from 'fast-check';
import {
  compositeHealthStats,
  fastPassJs,
  fastPassWasm,
  floorF32,
  hasFastHealthKernel,
  healthStats,
  NUM_STATS,
  setSimdStats,
} from '../../src/watch/health-kernel.js';
import { describeEachBackend } from '../helpers/backends.js';

describeEachBackend('health statistics kernel', () => {
  it('is the one-dispatch kernel on this backend', () => {
    expect(hasFastHealthKernel()).toBe(true);
  });

  it('the SIMD pass gives what its JS twin gives, bit for bit (Σx² in the same 8-lane order), any size and values', () => {
    const value = fc.oneof(
      { weight: 30, arbitrary: fc.float({ min: -1e4, max: 1e4, noNaN: true }) },
      { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 3e38, -0, 2.9999998, 3.0000002) },
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(value, { maxLength: 70 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(3, 2.99999, Math.PI, Infinity),
        (arrays, thr) => {
          const ts = arrays.map((a) => tf.tensor1d(a));
          const modes = arrays.map((_, i) => (i % 2 ? 'saturated' : 'none') as 'saturated' | 'none');
          const thresholds = arrays.map(() => thr);
          const simd = healthStats(ts, modes, thresholds, 1e6).dataSync();
          setSimdStats(false);
          const js = healthStats(ts, modes, thresholds, 1e6).dataSync();
          setSimdStats(true);
          tf.dispose(ts);
          return simd.every((x, i) => Object.is(x, js[i]));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('Σx² is summed in the documented 8-lane order, in float64 (a case where the order shows)', () => {
    // 2^26 then 0.5s: summed left to right every 0.25 is lost against 2^52 (half an ulp, ties to
    // even); in 8 lanes the 0.25s add up first and survive. Float32 outputs cannot show this.
    const v = Float32Array.from({ length: 67 }, (_, i) => (i === 0 ? 2 ** 26 : 0.5));
    const lanes = 2 ** 52 + 0.25 * 56 + 0; // 7 lanes × 8 entries; the 3-entry tail is lost again
    const tmp = new Float32Array(9);
    expect(fastPassJs(v, 'none', Infinity).sumSq).toBe(lanes);
    expect(fastPassWasm(v, 'none', Infinity, tmp).sumSq).toBe(lanes);
    let sequential = 0;
    for (const x of v) sequential += x * x;
    expect(sequential).toBe(2 ** 52);
  });

  it('floorF32: the largest float32 at or below t, so x > t and x > floorF32(t) agree for every float32 x', () => {
    expect(floorF32(3)).toBe(3);
    const t = 2.99999999;
    expect(floorF32(t)).toBeLessThanOrEqual(t);
    expect(Math.fround(floorF32(t))).toBe(floorF32(t));
    // The next float32 up is above t: nothing fits between.
    const up = new Float32Array(new Uint32Array([new Uint32Array(Float32Array.of(floorF32(t)).buffer)[0]! + 1]).buffer)[0]!;
    expect(up).toBeGreaterThan(t);
    expect(floorF32(Infinity)).toBe(Infinity);
  });

  it('matches the composite of tfjs ops, NaN/Inf/dead/saturated included', () => {
    const ts = [
      tf.tensor2d([
        [1, -2, 0],
        [3, -0.5, 0],
      ]), // dead column 1 and 2 (≤ 0 on every row)
      tf.tensor1d([NaN, 1, Infinity, -Infinity, 2e6]),
      tf.tensor2d([
        [4, -5],
        [0.1, 3.5],
      ]), // saturated beyond |3|
      tf.scalar(-7),
      tf.zeros([0]),
    ];
    const modes = ['dead', 'none', 'saturated', 'none', 'none'] as const;
    const thresholds = [Infinity, Infinity, 3, Infinity, Infinity];
    const fast = healthStats(ts, modes, thresholds, 1e6).dataSync();
    const ref = compositeHealthStats(ts, modes, thresholds, 1e6).dataSync();
    expect(fast.length).toBe(ts.length * NUM_STATS);
    for (let i = 0; i < fast.length; i++) expect(fast[i], `entry ${i}`).toBeCloseTo(ref[i]!, 4);
    // Spot checks against the definitions.
    expect(Array.from(fast.slice(0, 4))).toEqual([0, 0, 3, 1 + 4 + 9 + 0.25]);
    expect(fast[4]).toBeCloseTo(2 / 3, 6);
    expect(Array.from(fast.slice(5, 7))).toEqual([0, 0]);
    expect(Array.from(fast.slice(7, 14))).toEqual([1, 2, 2e6, Math.fround(1 + 4e12), 0, 0, 1]);
    expect(fast[14 + 5]).toBeCloseTo(0.75, 6);
  });

  it('one rule for non-finite units on both paths: NaN activates nothing (dead), ±Inf saturates, NaN does not', () => {
    const ts = [
      // columns: [NaN, −1] dead; [NaN, 2] alive; [+Inf, −3] alive; [−Inf, 0] dead
      tf.tensor2d([
        [NaN, NaN, Infinity, -Infinity],
        [-1, 2, -3, 0],
      ]),
      // |x| > 3: Inf, −Inf and 4 saturate; NaN and 1 do not → 3/5
      tf.tensor1d([NaN, Infinity, -Infinity, 4, 1]),
    ];
    const modes = ['dead', 'saturated'] as const;
    const thresholds = [Infinity, 3];
    for (const s of [healthStats(ts, modes, thresholds, 1e6).dataSync(), compositeHealthStats(ts, modes, thresholds, 1e6).dataSync()]) {
      expect(s[4]).toBe(0.5);
      expect(s[NUM_STATS + 5]).toBeCloseTo(0.6, 6);
    }
  });

  it('reads the same values the tensors hold after many allocations', () => {
    // The wasm kernel reads the heap in place: check it after growth of the heap too.
    const big = tf.randomNormal([2000, 500], 0, 1, 'float32', 1);
    const small = tf.tensor1d([5, -6]);
    const s = healthStats([small, big], ['none', 'none'], [Infinity, Infinity], 1e6).dataSync();
    expect(s[2]).toBe(6);
    expect(s[3]).toBe(61);
    const ref = compositeHealthStats([big], ['none'], [Infinity], 1e6).dataSync();
    expect(s[NUM_STATS + 2]).toBeCloseTo(ref[2]!, 4);
  });
});
