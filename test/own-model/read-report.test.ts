import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { readReport, renderJson, renderText, watchModel } from '../../src/index.js';
import { GOLDEN_DIR } from '../helpers/golden.js';

it('readReport(json) gives back the report renderJson wrote: NaN and ±Infinity restored, renderable', async () => {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 4, activation: 'relu', inputShape: [3], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  m.add(tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  m.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
  const w = watchModel(m);
  const y = tf.tensor2d([1, 2, NaN, 4, 5, 6, 7, 8], [8, 1]);
  await m.fit(tf.ones([8, 3]), y, { epochs: 1, batchSize: 4, verbose: 0, shuffle: false, callbacks: [w.callback] });
  const report = w.report();
  expect(report.firstEvents.nan).not.toBeNull();
  const json = renderJson(report);
  expect(json).toContain('"NaN"');
  const back = readReport(json);
  expect(back).toEqual(report);
  expect(renderText(back)).toBe(renderText(report));
  w.dispose();
});

it('readReport refuses what is not a run report, naming why', () => {
  expect(() => readReport(readFileSync(`${GOLDEN_DIR}/compare-nan-sgd-relu.json`, 'utf8'))).toThrow(
    /compare-activations report, not a run report/,
  );
  expect(() => readReport('{"command": "run", "schemaVersion": 1}')).toThrow(/schemaVersion 1/);
});
