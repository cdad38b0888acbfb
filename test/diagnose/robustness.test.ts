import { describe, expect, it } from 'vitest';
import { replicaOutcome, summarizeRobustness } from '../../src/diagnose/robustness.js';
import { nudgeByUlp, ulpStep } from '../../src/model/ulp-nudge.js';
import type { FirstEvent, FirstEvents } from '../../src/watch/events.js';

const ev = (kind: FirstEvent['kind'], step: number, tensor = 'x·V'): FirstEvent => ({
  kind,
  step,
  phase: 'forward',
  layer: 'l3_1',
  tensor,
  count: 1,
  size: 10,
  maxAbs: 1,
  previousMaxAbs: null,
});
const firsts = (nan: number | null, tensor?: string): FirstEvents => ({
  nan: nan === null ? null : ev('nan', nan, tensor),
  inf: null,
  explosion: null,
});
const summarize = (fs: FirstEvents[]) =>
  summarizeRobustness(
    fs.map((f, i) => replicaOutcome(i, f, f.nan ? 'nan' : null, f.nan ? f.nan.step + 1 : 500)),
    fs,
  );

describe('robustness of a diagnosis across replicas', () => {
  it('robust: the same event at the same place within a step or two', () => {
    const r = summarize([firsts(117), firsts(117), firsts(118), firsts(117)]);
    expect(r.class).toBe('robust');
    expect(r.sentence).toBe('robust: 4/4 NaN at steps 117–118 (l3_1, forward, x·V)');
    expect(r.kinds.find((k) => k.kind === 'nan')).toMatchObject({ reached: 4, minStep: 117, maxStep: 118, sameLocation: true });
  });

  it('all healthy is robust too', () => {
    expect(summarize([firsts(null), firsts(null)]).sentence).toBe('robust: 2/2 replicas healthy');
  });

  it('spread: same kind and place, but the step moves; or the place moves', () => {
    expect(summarize([firsts(117), firsts(150)])).toMatchObject({
      class: 'spread',
      sentence: 'robust in kind and place, not in step: NaN in 2/2 replicas (l3_1, forward, x·V) between steps 117 and 150',
    });
    expect(summarize([firsts(117), firsts(117, 'pre-activation')]).class).toBe('spread');
  });

  it('chaotic: replicas disagree on what happens at all', () => {
    const r = summarize([firsts(142), firsts(null), firsts(800), firsts(null), firsts(300)]);
    expect(r.class).toBe('chaotic');
    expect(r.sentence).toBe(
      'chaotic: 2/5 healthy, NaN in 3/5 replicas between steps 142 and 800: the step is not a property of this config',
    );
    expect(r.kinds.find((k) => k.kind === 'nan')!.steps).toEqual([142, null, 800, null, 300]);
  });
});

describe('one-ulp nudges', () => {
  const f32 = Math.fround;
  it('moves each value to the adjacent float32, up or down, with nothing between', () => {
    for (const v of [1, -1, 0.1, -3.5e-20, 3.4e38, 1e-40, 5.6e23]) {
      const x = f32(v);
      for (const up of [true, false]) {
        const y = ulpStep(x, up);
        expect(up ? y > x : y < x).toBe(true);
        // Adjacent: the float32 nearest to the midpoint is one of the two ends.
        const mid = f32((x + y) / 2);
        expect(mid === x || mid === y).toBe(true);
      }
    }
    expect(ulpStep(0, true)).toBe(1.401298464324817e-45);
    expect(ulpStep(Infinity, true)).toBe(Infinity);
  });

  it('is seeded: the same (seed, replica) gives the same nudges; another replica others', () => {
    const a = [Float32Array.from({ length: 64 }, (_, i) => f32(i / 7 - 3))];
    const r1 = nudgeByUlp(a, 0, 1)[0]!;
    expect(nudgeByUlp(a, 0, 1)[0]).toEqual(r1);
    expect(nudgeByUlp(a, 0, 2)[0]).not.toEqual(r1);
    // Every entry moved, by exactly one ulp one way or the other.
    r1.forEach((y, i) => expect(y === ulpStep(a[0]![i]!, true) || y === ulpStep(a[0]![i]!, false)).toBe(true));
  });
});
