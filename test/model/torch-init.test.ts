import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { validateConfig } from '../../src/config/load-config.js';
import { buildCriticSpec, initParams } from '../../src/model/critic.js';
import { TorchGenerator, torchLinearDraws, torchOrthogonal } from '../../src/model/torch-init.js';
import { torchArrays, worstOf } from '../helpers/torch-fixtures.js';

// torch.manual_seed(21) then the modules scripts/write-torch-fixtures.py builds; every weight as torch drew it.
const torch = torchArrays();
const worst = (ours: Float32Array, key: string) => {
  const t = torch(key).values;
  expect(ours.length).toBe(t.length);
  return ours.reduce((w, x, i) => Math.max(w, Math.abs(x - t[i]!)), 0);
};

describe("PyTorch's initialisation, drawn as torch draws it", () => {
  it("nn.Linear's default (kaiming_uniform(a=√5), bias U(±1/√fan_in)): bit for bit", () => {
    const gen = new TorchGenerator(21);
    [
      ['0', 8, 64],
      ['2', 64, 64],
      ['4', 64, 1],
    ].forEach(([name, fanIn, units]) => {
      const d = torchLinearDraws(gen, fanIn as number, units as number);
      expect(worst(d.weight, `init-default.${name}.weight`)).toBe(0);
      expect(worst(d.bias, `init-default.${name}.bias`)).toBe(0);
    });
  });

  for (const [kind, layers] of [
    [
      'cleanrl',
      [
        [8, 64, Math.SQRT2],
        [64, 64, Math.SQRT2],
        [64, 1, 1],
      ],
    ],
    [
      'tiny',
      [
        [8, 3, Math.SQRT2],
        [3, 1, 1],
      ],
    ],
  ] as const) {
    it(`CleanRL's layer_init (orthogonal after the Linear's own draws), ${kind}: to float32 rounding`, () => {
      const gen = new TorchGenerator(21);
      layers.forEach(([fanIn, units, gain], i) => {
        torchLinearDraws(gen, fanIn, units);
        const w = torchOrthogonal(gen, units, fanIn, gain);
        // Orthogonal weights are below gain·1; 2e-6 is a few float32 ulps of torch's float32 QR.
        expect(worst(w, `init-${kind}.${2 * i}.weight`)).toBeLessThan(2e-6);
      });
    });
  }

  it('as config inits: seed 21 starts the critic from the weights torch.manual_seed(21) gives', () => {
    const layers = (init: (i: number) => unknown, bInit?: number) =>
      [64, 64, 1].map((units, i) => ({
        name: `l${i}`,
        units,
        activation: i < 2 ? 'tanh' : 'linear',
        init: init(i),
        weightNorm: false,
        ...(bInit !== undefined ? { bInit } : {}),
      }));
    const params = (raw: unknown) => {
      const { config } = validateConfig(raw);
      const p = initParams(buildCriticSpec(config), config.seed);
      const out = p.map((t) => t.dataSync() as Float32Array);
      tf.dispose(p);
      return out;
    };
    const base = { seed: 21, data: { source: 'synthetic' } };
    const linear = params({ ...base, network: { inputDim: 8, layers: layers(() => 'torch_linear') } });
    const cleanrl = params({
      ...base,
      network: { inputDim: 8, layers: layers((i) => (i < 2 ? 'cleanrl' : { orthogonal: { gain: 1 } }), 0) },
    });
    ['0', '2', '4'].forEach((n, i) => {
      expect(worstOf(linear[2 * i]!, torch(`init-default.${n}.weight`))).toBe(0);
      expect(worstOf(linear[2 * i + 1]!, torch(`init-default.${n}.bias`))).toBe(0);
      expect(worstOf(cleanrl[2 * i]!, torch(`init-cleanrl.${n}.weight`))).toBeLessThan(2e-6);
      expect(worstOf(cleanrl[2 * i + 1]!, torch(`init-cleanrl.${n}.bias`))).toBe(0);
    });
    // Another seed draws other weights (the test can fail).
    const other = params({ ...base, seed: 22, network: { inputDim: 8, layers: layers(() => 'torch_linear') } });
    expect(worstOf(other[0]!, torch('init-default.0.weight'))).toBeGreaterThan(0.01);
  });
});
