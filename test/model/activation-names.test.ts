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

// torch.nn.functional.mish on these inputs, as Debian's torch 1.13 computes it in float32.
it("mish is torch's x·tanh(softplus(x)) to a float32 ulp", async () => {
  const tf = await import('@tensorflow/tfjs');
  const x = [-3, -1, -0.2, 0, 0.5, 2, 8];
  const torch = [
    -0.14564746618270874, -0.3034014403820038, -0.1071447879076004, 0, 0.37524524331092834, 1.9439589977264404, 7.999998092651367,
  ];
  const got = tf.tidy(() => Array.from(getActivation('mish').forward(tf.tensor1d(x)).dataSync()));
  got.forEach((g, i) => expect(Math.abs(g - torch[i]!), String(x[i])).toBeLessThanOrEqual(Math.abs(torch[i]!) * 2 ** -22));
});
