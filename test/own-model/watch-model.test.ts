import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { watchModel } from '../../src/own-model/watch-model.js';
import { renderRunHtml } from '../../src/report/html.js';
import { fromJson, toJson } from '../../src/report/json.js';
import { RunReportSchema } from '../../src/report/run-report.js';
import { describeEachBackend } from '../helpers/backends.js';

/** A small critic of the seed's kind, as a tfjs user writes it (seeded initializers: same weights every time). */
function critic(activation: 'relu' | 'tanh' = 'relu', lr = 1e-3): tf.Sequential {
  const m = tf.sequential({ name: 'critic' });
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  m.add(tf.layers.dense({ name: 'h1', units: 16, activation, inputShape: [6], kernelInitializer: init(1), biasInitializer: 'zeros' }));
  m.add(tf.layers.dense({ name: 'h2', units: 8, activation, kernelInitializer: init(2), biasInitializer: 'zeros' }));
  m.add(tf.layers.dense({ name: 'v', units: 1, kernelInitializer: init(3) }));
  m.compile({ optimizer: tf.train.sgd(lr), loss: 'meanSquaredError' });
  return m;
}

/** 64 samples, fixed: batch k of 8 is rows 8k … 8k + 7 (fit with shuffle off). */
function data(nanRow = -1): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const xs = Array.from({ length: 64 * 6 }, (_, i) => Math.sin(i * 0.37) * 3);
  const ys = Array.from({ length: 64 }, (_, i) => (i === nanRow ? NaN : Math.cos(i * 0.11) * 5));
  return { x: tf.tensor2d(xs, [64, 6]), y: tf.tensor2d(ys, [64, 1]) };
}

const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

describeEachBackend('watchModel', (backend) => {
  it('watching does not change training: the same weights bit for bit as an unwatched fit', async () => {
    const { x, y } = data();
    const plain = critic();
    await plain.fit(x, y, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
    const watched = critic();
    const watcher = watchModel(watched);
    await watched.fit(x, y, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0, callbacks: [watcher.callback] });
    expect(watcher.stepsSeen).toBe(24);
    if (backend === 'cpu') expect(weightsOf(watched)).toEqual(weightsOf(plain));
    else {
      const a = weightsOf(watched).flat();
      const b = weightsOf(plain).flat();
      // wasm: the same kernels run, so the same bits are expected here too.
      expect(a).toEqual(b);
    }
    const report = watcher.report();
    expect(RunReportSchema.safeParse(fromJson(toJson(report))).success).toBe(true);
    expect(report.verdict.worst).toBeNull();
    expect(report.tables.last?.layers.map((l) => l.layer)).toEqual(['h1', 'h2', 'v']);
    // The kernel's step θ_new − θ_old is watched too: the update-to-weight ratio.
    for (const l of report.tables.last!.layers) expect(l.updateRatio).toBeGreaterThan(0);
    expect(renderRunHtml(report)).toContain('<h1>watchModel(critic)</h1>');
    watcher.dispose();
    tf.dispose([x, y]);
  });

  it('no tensor leaks: the watcher adds nothing from step to step, and nothing is left after dispose', async () => {
    const { x, y } = data();
    const m = critic();
    const fit = async (callbacks: tf.CustomCallback[]) => {
      const counts: number[] = [];
      const probe = new tf.CustomCallback({ onBatchEnd: async () => void counts.push(tf.memory().numTensors) });
      const before = tf.memory().numTensors;
      await m.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0, callbacks: [...callbacks, probe] });
      return { counts, growth: tf.memory().numTensors - before };
    };
    await fit([]); // creates the optimizer's slots
    // tfjs's fit itself keeps one tensor per epoch; measure it unwatched, then watched.
    const plain = await fit([]);
    const watcher = watchModel(m);
    const watched = await fit([watcher.callback]);
    const extra = watched.counts.map((c, i) => c - plain.counts[i]!);
    expect(new Set(extra).size).toBe(1);
    watcher.dispose();
    expect(watched.growth).toBe(plain.growth);
    tf.dispose([x, y]);
  });

  it('planted on purpose: an Inf written into one kernel weight before step 3 → step 3, forward, that layer, x·W', async () => {
    const { x, y } = data();
    const m = critic();
    const watcher = watchModel(m);
    const plant = new tf.CustomCallback({
      onBatchEnd: async (batch) => {
        if (batch !== 2) return;
        const [k, b] = m.getLayer('h2').getWeights();
        const v = k!.arraySync() as number[][];
        v[3]![5] = Infinity;
        m.getLayer('h2').setWeights([tf.tensor2d(v), b!]);
      },
    });
    await m.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0, callbacks: [plant, watcher.callback] });
    expect(watcher.firstEvents.inf).toMatchObject({ step: 3, phase: 'forward', layer: 'h2', tensor: 'x·W' });
    expect(watcher.firstEvents.nan?.step).toBe(3);
    // stopOnNaN: training stopped at that step.
    expect(watcher.stepsSeen).toBe(4);
    watcher.dispose();
    tf.dispose([x, y]);
  });

  it('planted on purpose: a NaN in the target batch at step 5 → step 5, loss phase, no layer, target', async () => {
    const { x, y } = data(5 * 8 + 2);
    const m = critic();
    const watcher = watchModel(m);
    await m.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0, callbacks: [watcher.callback] });
    expect(watcher.firstEvents.nan).toMatchObject({ step: 5, phase: 'loss', layer: null, tensor: 'target', count: 1 });
    const r = watcher.report();
    expect(r.verdict.failed).toBe(true);
    expect(r.status).toBe('stopped');
    watcher.dispose();
    tf.dispose([x, y]);
  });

  it('planted on purpose: a learning rate huge enough to overflow → the first explosion is named', async () => {
    const { x, y } = data();
    const m = critic('relu', 1e12);
    const watcher = watchModel(m);
    await m.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false, verbose: 0, callbacks: [watcher.callback] });
    // The first update multiplies a gradient by 1e12: the updated weights explode at step 0.
    expect(watcher.firstEvents.explosion).toMatchObject({ step: 0, phase: 'update' });
    expect(watcher.firstEvents.explosion!.layer).toMatch(/^(h1|h2|v)$/);
    expect(watcher.report().verdict.sentence).toMatch(/first \|x\| > 1\.00e6 at step 0 \((h1|h2|v), update, (kernel|bias)\)/);
    watcher.dispose();
    tf.dispose([x, y]);
  });

  it('a custom loop: watcher.step(() => loss) watches optimizer.minimize the same way', async () => {
    const { x, y } = data(3 * 8);
    const m = critic();
    const watcher = watchModel(m);
    let stop = false;
    for (let k = 0; k < 8 && !stop; k++) {
      const xb = x.slice([k * 8, 0], [8, 6]);
      const yb = y.slice([k * 8, 0], [8, 1]);
      const r = await watcher.step(() => tf.losses.meanSquaredError(yb, m.apply(xb) as tf.Tensor) as tf.Scalar);
      expect(r.step).toBe(k);
      stop = r.stop;
      tf.dispose([xb, yb]);
    }
    // No loss function of the model's runs here: the NaN shows first in the loss itself.
    expect(watcher.firstEvents.nan).toMatchObject({ step: 3, phase: 'loss', layer: null, tensor: 'loss' });
    expect(stop).toBe(true);
    watcher.dispose();
    tf.dispose([x, y]);
  });
});
