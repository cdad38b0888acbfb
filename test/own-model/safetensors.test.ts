import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { readStateDict } from '../../src/model/state-dict.js';
import { cli, ROOT } from '../helpers/cli.js';
import { tmpFile, TORCH_DIR } from '../helpers/torch-fixtures.js';

// safetensors files of the PPO critic (scripts/write-safetensors-fixtures.py, from the state_dict
// Debian's torch saved as fixtures/torch/ppo-critic.pt) read as network.weights.
const DIR = path.join(ROOT, 'fixtures/safetensors');
const pt = new Map(readStateDict(path.join(TORCH_DIR, 'ppo-critic.pt')).map((t) => [t.name, t]));

describe('safetensors files as network.weights', () => {
  it('F32: every tensor as torch saved it, by name and shape, bit for bit', () => {
    const st = readStateDict(path.join(DIR, 'ppo-critic.safetensors'));
    expect(st.map((t) => t.name).sort()).toEqual([...pt.keys()].sort());
    for (const t of st) {
      expect(t.shape).toEqual(pt.get(t.name)!.shape);
      expect(Array.from(t.values)).toEqual(Array.from(pt.get(t.name)!.values));
    }
  });

  for (const [kind, bits] of [
    ['f16', 11],
    ['bf16', 8],
  ] as const) {
    it(`${kind.toUpperCase()}: each value torch's rounded to ${bits} significant bits`, () => {
      let differ = 0;
      for (const t of readStateDict(path.join(DIR, `ppo-critic-${kind}.safetensors`))) {
        const ref = pt.get(t.name)!.values;
        t.values.forEach((v, i) => expect(Math.abs(v - ref[i]!)).toBeLessThanOrEqual(Math.abs(ref[i]!) * 2 ** -bits));
        differ += t.values.filter((v, i) => v !== ref[i]).length;
      }
      // Not the float32 values themselves: the file really holds the narrower type.
      expect(differ).toBeGreaterThan(1000);
    });
  }

  it('run trains the PPO config from the safetensors file exactly as from the .pt', async () => {
    const text = readFileSync(path.join(TORCH_DIR, 'ppo-state-dict.yaml'), 'utf8').replace(/: ppo-rollout/, `: ${TORCH_DIR}/ppo-rollout`);
    const runs = [];
    for (const weights of [path.join(TORCH_DIR, 'ppo-critic.pt'), path.join(DIR, 'ppo-critic.safetensors')]) {
      const file = tmpFile('c.yaml', text.replace('weights: ppo-critic.pt', `weights: ${weights}`));
      const out = path.join(path.dirname(file), 'r.json');
      const r = await cli(['run', file, '--backend', 'cpu', '--json', out]);
      expect(r.code, r.stderr).toBe(0);
      runs.push((JSON.parse(readFileSync(out, 'utf8')) as { history: { points: { loss: number }[] } }).history.points.map((p) => p.loss));
    }
    expect(runs[1]).toEqual(runs[0]);
  }, 60_000);

  it('a header length past the file, offsets past the data, a cut tensor, an unread dtype: one line each naming why', () => {
    const good = readFileSync(path.join(DIR, 'ppo-critic.safetensors'));
    const n = Number(good.readBigUint64LE(0));
    const header = good.subarray(8, 8 + n).toString();
    const withHeader = (h: string) => {
      const text = Buffer.from(h + ' '.repeat(-h.length & 7));
      const len = Buffer.alloc(8);
      len.writeBigUint64LE(BigInt(text.length));
      return Buffer.concat([len, text, good.subarray(8 + n)]);
    };
    const huge = Buffer.from(good);
    huge.writeBigUint64LE(4n * 2n ** 30n);
    const cases: [string, Uint8Array, RegExp][] = [
      ['huge.safetensors', huge, /header claims 4294967296 bytes, the file has \d+/],
      ['cut.safetensors', good.subarray(0, good.length - 100), /critic\.\d\.\w+: its bytes \[\d+, \d+\) run past the \d+ bytes of data/],
      [
        'past.safetensors',
        withHeader(header.replace(/"data_offsets":\[(\d+),(\d+)\]/, (_, a, b) => `"data_offsets":[${a},${Number(b) + 1e9}]`)),
        /run past/,
      ],
      ['i8.safetensors', withHeader(header.replace('"F32"', '"I8"')), /dtype "I8" is not one critic-doctor reads \(F32, F64, F16, BF16\)/],
      ['json.safetensors', withHeader('{"critic.0.weight":'), /the header is not JSON/],
    ];
    for (const [name, bytes, why] of cases) {
      const file = tmpFile(name, bytes);
      let err: unknown;
      try {
        readStateDict(file);
      } catch (e) {
        err = e;
      }
      expect(err, name).toBeInstanceOf(ConfigError);
      expect((err as Error).message, name).toMatch(why);
      expect((err as Error).message.split('\n')).toHaveLength(1);
    }
  });
});
