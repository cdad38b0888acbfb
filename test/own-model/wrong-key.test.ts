import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/model/load-config-with-model.js';
import { modelFormat } from '../../src/model/model-format.js';
import { ROOT } from '../helpers/cli.js';
import { tmpFile } from '../helpers/torch-fixtures.js';

// One table of formats by content (model/model-format.ts): a file under the key of another format
// is named for what it is and sent to its key, in one line, never read by the wrong reader.
const f = (p: string) => path.join(ROOT, p);

describe('a file under the wrong key says what it is and where it goes', () => {
  it('formats by content', () => {
    expect(modelFormat(f('fixtures/safetensors/ppo-critic.safetensors'))).toBe('safetensors');
    expect(modelFormat(f('fixtures/tf1-seed/seed-critic.index'))).toBe('tf-index');
    expect(modelFormat(f('fixtures/keras/critic-keras3.keras'))).toBe('keras-zip');
    expect(modelFormat(f('fixtures/keras/critic-keras2.h5'))).toBe('hdf5');
    expect(modelFormat(f('fixtures/torch/ppo-critic.pt'))).toBe('torch-zip');
    expect(modelFormat(f('fixtures/torch/ppo-critic-legacy.pt'))).toBe('pickle');
    expect(modelFormat(f('fixtures/torch/sb3-ppo.zip'))).toBe('sb3-zip');
    expect(modelFormat(f('fixtures/torch/ppo-critic.onnx'))).toBe('onnx');
  });

  for (const [key, file, why] of [
    ['model', 'fixtures/safetensors/ppo-critic.safetensors', /ppo-critic\.safetensors is a safetensors file: give it as network\.weights/],
    ['model', 'fixtures/tf1-seed/seed-critic.index', /seed-critic\.index is a TensorFlow checkpoint index: give it as network\.weights/],
    ['model', 'fixtures/torch/ppo-critic.pt', /ppo-critic\.pt is a torch\.save file: give it as network\.weights/],
    ['weights', 'fixtures/keras/critic-keras3.keras', /critic-keras3\.keras is a Keras 3 \.keras file: give it as network\.model/],
    ['weights', 'fixtures/keras/critic-keras2.h5', /critic-keras2\.h5 is an HDF5 file \(a Keras \.h5\?\): give it as network\.model/],
    ['weights', 'fixtures/torch/ppo-critic.onnx', /ppo-critic\.onnx is an ONNX file: give it as network\.model/],
  ] as const) {
    it(`${path.basename(file)} as network.${key}`, async () => {
      const network =
        key === 'model' ? `{ model: ${f(file)} }` : `{ inputDim: 8, weights: ${f(file)}, layers: [{ name: critic.0, units: 1 }] }`;
      const config = tmpFile('c.yaml', `steps: 1\nnetwork: ${network}\ndata: { source: synthetic, transitions: 64 }\n`);
      const err = await loadConfig(config).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(why);
      expect((err as Error).message.split('\n')).toHaveLength(1);
    });
  }
});
