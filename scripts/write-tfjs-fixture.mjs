// Writes fixtures/tfjs/model.json + weights.bin: a small critic saved by tfjs itself (model.save
// through a save handler writing what `file://` would: model.json with the weights manifest, one
// weights.bin), for the fuzz test of the tfjs reader. Run: node scripts/write-tfjs-fixture.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';

const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'tfjs');
mkdirSync(out, { recursive: true });
const seeded = (seed) => tf.initializers.glorotUniform({ seed });
const model = tf.sequential();
model.add(tf.layers.dense({ name: 'l1', units: 16, activation: 'tanh', inputShape: [5], kernelInitializer: seeded(1) }));
model.add(tf.layers.dense({ name: 'l2', units: 16, activation: 'relu', kernelInitializer: seeded(2) }));
model.add(tf.layers.dense({ name: 'v', units: 1, kernelInitializer: seeded(3) }));
await model.save(
  tf.io.withSaveHandler(async (a) => {
    const weightsManifest = [{ paths: ['weights.bin'], weights: a.weightSpecs }];
    writeFileSync(path.join(out, 'model.json'), JSON.stringify({ modelTopology: a.modelTopology, format: a.format, weightsManifest }));
    writeFileSync(path.join(out, 'weights.bin'), Buffer.from(a.weightData));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }),
);
console.log('wrote fixtures/tfjs/model.json, weights.bin');
