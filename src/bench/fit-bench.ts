import { tf } from '../util/tfjs.js';
import { watchModel } from '../own-model/watch-model.js';
import { withTfjsDebug } from './with-tfjs-debug.js';

/** A Sequential Dense critic of the seed's shape (48 → 64-32-32-32-1, relu), as a tfjs user writes it. */
function seedShapedCritic(): tf.Sequential {
  const m = tf.sequential();
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  m.add(tf.layers.dense({ units: 64, activation: 'relu', inputShape: [48], kernelInitializer: init(1) }));
  m.add(tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: init(2) }));
  m.add(tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: init(3) }));
  m.add(tf.layers.dense({ units: 32, kernelInitializer: init(4) }));
  m.add(tf.layers.dense({ units: 1, kernelInitializer: init(5) }));
  m.compile({ optimizer: tf.train.rmsprop(1e-4, 0.99, 0, 1e-6), loss: 'meanSquaredError' });
  return m;
}

/** Steps/s of `model.fit` (batch 64) over `steps` batches: plain, watched by watchModel, or with tfjs's DEBUG flag. */
export async function fitRate(kind: 'plain' | 'watched' | 'debug', steps: number): Promise<number> {
  const m = seedShapedCritic();
  const x = tf.randomNormal([steps * 64, 48], 0, 1, 'float32', 7);
  const y = tf.randomNormal([steps * 64, 1], 0, 1, 'float32', 8);
  const watcher = kind === 'watched' ? watchModel(m) : null;
  const timed = async () => {
    const t0 = performance.now();
    await m.fit(x, y, { epochs: 1, batchSize: 64, shuffle: false, verbose: 0, callbacks: watcher ? [watcher.callback] : [] });
    return steps / ((performance.now() - t0) / 1000);
  };
  try {
    return kind === 'debug' ? await withTfjsDebug(timed) : await timed();
  } finally {
    watcher?.dispose();
    tf.dispose([x, y]);
    // The optimizer was passed to compile, so the model does not own it: its slots go separately.
    m.optimizer.dispose();
    m.dispose();
  }
}
