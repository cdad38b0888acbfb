import { expect } from 'vitest';
import { readStateDict } from '../../src/model/state-dict.js';

/** A tensor as a fixture script recorded it: name, shape, float32 values. */
export type ExpectedTensors = { name: string; shape: number[]; values: number[] }[];

/** What `readStateDict` reads from `file` is `want`: names in its order, shapes, float32 values bit for bit. */
export function expectTensors(file: string, want: ExpectedTensors): void {
  const got = readStateDict(file);
  expect(got.map((t) => t.name)).toEqual(want.map((t) => t.name));
  got.forEach((t, i) => {
    expect(t.shape, t.name).toEqual(want[i]!.shape);
    const bits = (v: ArrayLike<number>) => Buffer.from(Float32Array.from(v).buffer);
    expect(bits(t.values).equals(bits(want[i]!.values)), t.name).toBe(true);
  });
}
