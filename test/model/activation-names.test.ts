import { expect, it } from 'vitest';
import { ACTIVATIONS } from '../../src/config/schema.js';
import { getActivation } from '../../src/model/activations.js';
import { INACTIVITY, isReluLike } from '../../src/model/activation-names.js';

// activation-names.ts answers "relu-like?" without loading tfjs; its table must say what the
// activations themselves say.
it("the inactivity table is each activation's own, for every activation", () => {
  for (const a of ACTIVATIONS) expect(INACTIVITY[a], a).toBe(getActivation(a).inactivity);
  expect(ACTIVATIONS.filter(isReluLike)).toEqual(ACTIVATIONS.filter((a) => getActivation(a).inactivity === 'dead'));
});
