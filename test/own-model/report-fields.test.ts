import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { readReport, renderHtml, renderJson, renderMarkdown, renderText, watchModel } from '../../src/index.js';

function model(): tf.Sequential {
  const m = tf.sequential({ name: 'mine' });
  m.add(tf.layers.dense({ units: 4, activation: 'relu', inputShape: [3], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  m.add(tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  m.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
  return m;
}

it('a watchModel report carries no made-up field: no seed, lint or hash; a budget only from fit; headed watchModel(name)', async () => {
  const fitted = model();
  const wf = watchModel(fitted);
  await fitted.fit(tf.ones([8, 3]), tf.ones([8, 1]), { epochs: 2, batchSize: 4, verbose: 0, callbacks: [wf.callback] });
  const loop = model();
  const wl = watchModel(loop);
  for (let i = 0; i < 3; i++)
    await wl.step(() => tf.losses.meanSquaredError(tf.ones([4, 1]), loop.apply(tf.ones([4, 3])) as tf.Tensor) as tf.Scalar);

  for (const [rep, budget] of [
    [wf.report(), 4], // fit: 2 epochs × 2 batches
    [wl.report(), undefined], // a custom loop: nobody said how many
  ] as const) {
    expect(rep.source).toBe('watchModel');
    expect('seed' in rep).toBe(false);
    expect('lint' in rep).toBe(false);
    expect('configHash' in rep).toBe(false);
    // No config that nobody wrote (batch size, clipping, a data path guessed): the model as found.
    expect('config' in rep).toBe(false);
    expect('configFile' in rep).toBe(false);
    expect(rep.model).toEqual({
      name: 'mine',
      layers: [
        { name: expect.stringMatching(/^dense_Dense\d+$/), units: 4, activation: 'relu' },
        { name: expect.stringMatching(/^dense_Dense\d+$/), units: 1, activation: 'linear' },
      ],
      optimizer: 'tfjs SGD lr 0.01',
      explosionThreshold: 1e6,
    });
    expect(rep.stepsRequested).toBe(budget);
    expect(rep.graph).toMatch(/^input 3 → dense_Dense\d+ 4 relu → dense_Dense\d+ 1$/);
    for (const text of [renderText(rep), renderMarkdown(rep), renderHtml(rep)]) {
      expect(text).not.toMatch(/critic-doctor run/);
      expect(text).toMatch(/watchModel\(mine\)/);
      expect(text).not.toMatch(/seed \d/);
      expect(text).not.toMatch(/batchSize|no clipping|model\.fit\)/);
    }
    expect(renderText(rep)).toMatch(budget ? /· 4\/4 steps/ : /· 3 steps/);
    // The schema takes it back as it is.
    expect(readReport(renderJson(rep))).toEqual(rep);
  }
  wf.dispose();
  wl.dispose();
});
