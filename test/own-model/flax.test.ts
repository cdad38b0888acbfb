import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { runDiagnosis } from '../../src/core/run.js';
import { loadConfig } from '../../src/model/load-config-with-model.js';
import { readStateDict } from '../../src/model/state-dict.js';
import { ROOT } from '../helpers/cli.js';
import { expectTensors, type ExpectedTensors } from '../helpers/expect-tensors.js';
import { tmpFile, TORCH_DIR } from '../helpers/torch-fixtures.js';

// Flax msgpack files in flax/serialization.py's layout (scripts/write-flax-fixtures.py, from the PPO
// critic of fixtures/torch/ppo-critic.pt): Dense kernels [in, out] given torch's names and layout.
const DIR = path.join(ROOT, 'fixtures/flax');
const expected = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as Record<'float32' | 'float16', ExpectedTensors>;

/** Every step's loss of the PPO fixture config started from `weights`, its layers named `names`. */
async function losses(weights: string, names: string[]): Promise<number[]> {
  const yaml = readFileSync(path.join(TORCH_DIR, 'ppo-state-dict.yaml'), 'utf8')
    .replace('weights: ppo-critic.pt', `weights: ${weights}`)
    .replace('path: ppo-rollout.npz', `path: ${path.join(TORCH_DIR, 'ppo-rollout.npz')}`)
    .replace(/critic\.0/, names[0]!)
    .replace(/critic\.2/, names[1]!)
    .replace(/critic\.4/, names[2]!);
  const r = await runDiagnosis({ loaded: await loadConfig(tmpFile('flax.yaml', yaml)), backend: 'cpu' });
  return r.history.points.map((p) => p.loss as number);
}

describe('Flax msgpack under network.weights', () => {
  for (const [file, dtype] of [
    ['ppo-params.msgpack', 'float32'],
    ['ppo-train-state.msgpack', 'float32'],
    ['ppo-chunked.msgpack', 'float32'],
    ['ppo-variables-f16.msgpack', 'float16'],
  ] as const)
    it(`${file}: params/Dense_i/kernel [in, out] read as Dense_i.weight [out, in], bit for bit`, () => {
      expectTensors(path.join(DIR, file), expected[dtype]);
    });

  it('a run from the Flax params trains exactly as from the state_dict they were written from', async () => {
    const want = await losses(path.join(TORCH_DIR, 'ppo-critic.pt'), ['critic.0', 'critic.2', 'critic.4']);
    expect(want).toHaveLength(4);
    expect(await losses(path.join(DIR, 'ppo-train-state.msgpack'), ['Dense_0', 'Dense_1', 'Dense_2'])).toEqual(want);
  });

  it('cut short, or under network.model: one line naming the file and why', async () => {
    const whole = readFileSync(path.join(DIR, 'ppo-params.msgpack'));
    const cut = tmpFile('cut.msgpack', whole.subarray(0, 5000));
    expect(() => readStateDict(cut)).toThrow(ConfigError);
    expect(() => readStateDict(cut)).toThrow(/not a msgpack file flax wrote \(Insufficient data/);
    const yaml = tmpFile('m.yaml', `network: { model: ${path.join(DIR, 'ppo-params.msgpack')} }\ndata: { source: synthetic }`);
    const e = await loadConfig(yaml).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toMatch(/ppo-params\.msgpack is a msgpack file \(Flax\): give it as network\.weights/);
  });
});

describe('new formats refuse what they cannot read: one line naming the file and why', () => {
  it('a Flax array of a dtype not read, and one whose bytes are cut short of its shape', async () => {
    const { encode, ExtensionCodec, ExtData } = await import('@msgpack/msgpack');
    const arr = (shape: number[], dtype: string, bytes: number) => new ExtData(1, encode([shape, dtype, new Uint8Array(bytes)]));
    const write = (name: string, kernel: unknown) =>
      tmpFile(name, encode({ params: { Dense_0: { kernel, bias: arr([2], 'float32', 8) } } }, { extensionCodec: new ExtensionCodec() }));
    expect(() => readStateDict(write('c64.msgpack', arr([3, 2], 'complex64', 48)))).toThrow(
      /an array of dtype complex64, not one critic-doctor reads/,
    );
    expect(() => readStateDict(write('cut.msgpack', arr([3, 2], 'float32', 20)))).toThrow(
      /an array \[3,2\] of float32 is 24 bytes, its data 20/,
    );
  });

  it('a pickled module whose storage is cut inside a tensor, and one of a storage type not read', async () => {
    const { unzipSync, zipSync } = await import('fflate');
    const files = unzipSync(readFileSync(path.join(ROOT, 'fixtures/torch-modules/ppo-module.pt')));
    const key = Object.keys(files).find((n) => /\/data\/0$/.test(n))!;
    const cut = tmpFile('cut.pt', zipSync({ ...files, [key]: files[key]!.subarray(0, 100) }, { level: 0 }));
    expect(() => readStateDict(cut)).toThrow(/critic\.0\.weight of shape \[64,8\] reaches past its storage \(100 bytes\)/);
    const pkl = Object.keys(files).find((n) => n.endsWith('/data.pkl'))!;
    const text = Buffer.from(files[pkl]!).toString('latin1').replace('FloatStorage', 'ShortStorage');
    const short = tmpFile('short.pt', zipSync({ ...files, [pkl]: Buffer.from(text, 'latin1') }, { level: 0 }));
    expect(() => readStateDict(short)).toThrow(/a ShortStorage is not a storage critic-doctor reads/);
  });
});
