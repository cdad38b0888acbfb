import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { renderText } from '../../src/index.js';
import { watchModel } from '../../src/own-model/watch-model.js';
import { describeEachBackend } from '../helpers/backends.js';

/**
 * The two-input functional Q-network (obs 5 → obs_enc 16 elu; concatenate with act 2;
 * joint 16 relu; q 1), Adam, a custom loop; batch 3 holds a sensor glitch of 1e38. What the report
 * may say of it: nothing it did not measure.
 */
function qNetwork(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const obs = tf.input({ shape: [5], name: 'obs' });
  const act = tf.input({ shape: [2], name: 'act' });
  const enc = tf.layers
    .dense({ name: 'obs_enc', units: 16, activation: 'elu', kernelInitializer: init(1) })
    .apply(obs) as tf.SymbolicTensor;
  const cat = tf.layers.concatenate({ name: 'cat' }).apply([enc, act]) as tf.SymbolicTensor;
  const joint = tf.layers
    .dense({ name: 'joint', units: 16, activation: 'relu', kernelInitializer: init(2) })
    .apply(cat) as tf.SymbolicTensor;
  const q = tf.layers.dense({ name: 'q', units: 1, kernelInitializer: init(3) }).apply(joint) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [obs, act], outputs: q, name: 'qnet' });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  return model;
}

/** The custom loop, 5 steps, with `glitch` at batch 3, row 7, column 2 of obs. */
async function glitched(glitch: number) {
  const model = qNetwork();
  const watcher = watchModel(model, { stopOnNaN: false });
  for (let step = 0; step < 5; step++) {
    const obs = tf.tensor2d(
      Array.from({ length: 8 * 5 }, (_, i) => (step === 3 && i === 7 * 5 + 2 ? glitch : Math.sin(i + step))),
      [8, 5],
    );
    const act = tf.tensor2d(
      Array.from({ length: 16 }, (_, i) => Math.cos(i + step)),
      [8, 2],
    );
    const r = tf.tensor2d(
      Array.from({ length: 8 }, (_, i) => i / 8),
      [8, 1],
    );
    await watcher.step(() => tf.losses.meanSquaredError(r, model.apply([obs, act]) as tf.Tensor) as tf.Scalar);
    tf.dispose([obs, act, r]);
  }
  const rep = watcher.report();
  watcher.dispose();
  model.dispose();
  return rep;
}

describeEachBackend('the data blamed when it is the cause', () => {
  it('a sensor glitch of 1e38: the first explosion is in input obs, row 7, column 2, and the verdict names the data', async () => {
    const rep = await glitched(1e38);
    expect(rep.firstEvents.explosion).toMatchObject({ step: 3, phase: 'input', layer: null, tensor: 'obs', at: { row: 7, column: 2 } });
    expect(rep.firstEvents.explosion!.at!.value).toBe(Math.fround(1e38));
    expect(rep.verdict.sentence).toMatch(/input obs, row 7, column 2: 1\.00e38/);
    expect(rep.verdict.sentence).toMatch(/the data is where it started/);
    expect(rep.causalChain!.lines[0]).toMatch(/^It started in the data: at step 3, input obs, row 7, column 2: 1\.00e38/);
  });

  it('a NaN in an input: the first NaN is the input, not the loss', async () => {
    const rep = await glitched(NaN);
    expect(rep.firstEvents.nan).toMatchObject({ step: 3, phase: 'input', tensor: 'obs', at: { row: 7, column: 2 } });
    expect(rep.verdict.sentence).toMatch(/^NaN first appeared at step 3: input obs, row 7, column 2: NaN/);
  });

  it('inputs are watched under their own names, and a healthy run says nothing of them', async () => {
    const rep = await glitched(0.5);
    expect(rep.verdict.worst).toBeNull();
    expect(rep.watched.filter((k) => k.startsWith('input/'))).toEqual(['input/-/obs', 'input/-/act']);
  });
});

describeEachBackend('a report of what was measured only', () => {
  it('a layer without parameters shows – for its norms (never NaN or 0), no growth line for a shrink, no targets line', async () => {
    const rep = await glitched(1e38);
    for (const snap of [rep.tables.lastHealthy, rep.tables.explosion, rep.tables.last]) {
      const cat = snap!.layers.find((l) => l.layer === 'cat')!;
      expect(cat.normV).toBeNull();
      expect(cat.gradNorm).toBeNull();
      expect(snap!.maxAbsTarget).toBeNull();
    }
    const text = renderText(rep);
    // The model's own graph, its second input and the merge included (not a chain that loses act).
    expect(rep.graph).toBe('obs 5 → obs_enc 16 elu; (obs_enc, act 2) → cat 18 → joint 16 relu → q 1');
    expect(text).toContain('model: obs 5 → obs_enc 16 elu; (obs_enc, act 2) → cat 18 → joint 16 relu → q 1');
    if (process.env.SHOW) process.stderr.write(text);
    // A NaN only where a tensor held one: the glitch overflows to Inf and then NaN in this run,
    // so every "NaN" printed must be a count or a first event, never a norm of a parameterless layer.
    for (const line of text.split('\n').filter((l) => /\bcat\b/.test(l) && /│/.test(l))) expect(line).not.toMatch(/NaN/);
    expect(text).not.toMatch(/The targets stayed in range|ran away/);
    // An inactivity line only for a layer whose fraction moved.
    expect(text).not.toMatch(/dead 0 % → 0 %/);
    const chain = rep.causalChain;
    if (chain) {
      expect(chain.targets).toBeNull();
      for (const l of chain.lines)
        if (l.startsWith('Largest parameter growth')) expect(chain.driver!.to).toBeGreaterThan(chain.driver!.from);
      // A rate is fitted over 20 steps or more, never over these 3.
      expect(text).not.toMatch(/every 100 steps/);
    }
  });
});
