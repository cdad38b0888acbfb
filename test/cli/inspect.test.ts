import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectFile } from '../../src/core/inspect.js';
import { cli, ROOT } from '../helpers/cli.js';

// `critic-doctor inspect FILE`: what a file is and holds, and the config lines to run it — on files
// torch, the TF1 checkpoint script and Keras 3 itself wrote.
const f = (p: string) => path.join(ROOT, p);

describe('critic-doctor inspect', () => {
  it('a state_dict: its tensors, its Linear layers by name, the config lines', async () => {
    const r = await inspectFile(f('fixtures/torch/sac-q.pt'));
    expect(r.format).toBe('torch-zip');
    expect(r.tensors.map((t) => `${t.name} ${t.shape.join('×')}`)).toContain('fc1.weight 256×10');
    expect(r.layers).toEqual([
      { name: 'fc1', units: 256, inputs: 10 },
      { name: 'fc2', units: 256, inputs: 256 },
      { name: 'fc3', units: 1, inputs: 256 },
    ]);
    expect(r.config).toContain('  weights: sac-q.pt');
  });

  it('a TorchScript archive and a Flax msgpack: the layers by module path and by Flax name', async () => {
    const ts = await inspectFile(f('fixtures/torch-modules/ppo-trace.pt'));
    expect(ts.format).toBe('torch-zip');
    expect(ts.layers.map((l) => l.name)).toEqual(['critic.0', 'critic.2', 'critic.4']);
    const flax = await inspectFile(f('fixtures/flax/ppo-train-state.msgpack'));
    expect(flax.format).toBe('msgpack');
    expect(flax.layers).toEqual([
      { name: 'Dense_0', units: 64, inputs: 8 },
      { name: 'Dense_1', units: 64, inputs: 64 },
      { name: 'Dense_2', units: 1, inputs: 64 },
    ]);
  });

  it('a model file: the critic critic-doctor trains from it (folded blocks, residual sums), or why it trains none', async () => {
    const res = await inspectFile(f('fixtures/residual/residual-critic.onnx'));
    expect(res.critic).toEqual({
      layers: ['fc0 16 relu', 'fc1 16 relu', 'fc2 16 linear + fc0', 'fc3 16 tanh + fc2', 'out 1 linear'],
    });
    const bn = await inspectFile(f('fixtures/keras/bn-critic-keras2.h5'));
    expect(bn.critic).toEqual({ layers: ['dense 16 tanh batch-norm', 'dense_1 1 linear'] });
    const post = await inspectFile(f('fixtures/keras/post-norm-critic.h5'));
    expect(post.critic).toEqual({
      refused: expect.stringMatching(/^layer post_norm: LayerNormalization is not supported where it stands/),
    });
    expect(post.config).toEqual([]);
  });

  it("a TF1 checkpoint: the scope, the layers under it, the optimizer's slots", async () => {
    const r = await inspectFile(f('fixtures/tf1-seed/seed-critic.index'));
    expect(r.writer).toMatch(/TensorFlow 1/);
    expect(r.layers.map((l) => `${l.name} ${l.inputs}→${l.units}`)).toEqual([
      'l3 48→64',
      'l3_1 64→32',
      'l3_2 32→32',
      'l3_3 32→32',
      'l4 32→1',
    ]);
    expect(r.config).toContain('  scope: critic');
    expect(r.optimizer).toMatch(/30 optimizer slots/);
  });

  it.skipIf(!existsSync(f('../shared/real-models/churn-ann.keras')))(
    'a real Keras 3 file: its writer, Dense layers and optimizer variables',
    async () => {
      const r = await inspectFile(f('../shared/real-models/churn-ann.keras'));
      expect(r.writer).toMatch(/^Keras 3/);
      expect(r.layers.map((l) => l.name)).toEqual(['dense_6 (Dense)', 'dense_7 (Dense)', 'dense_8 (Dense)']);
      expect(r.optimizer).toMatch(/14 optimizer variables/);
    },
  );

  it('the CLI prints it; a file of no model format is exit 2 in one line', async () => {
    const ok = await cli(['inspect', f('fixtures/safetensors/ppo-critic.safetensors')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/ppo-critic\.safetensors: safetensors, 6 tensors/);
    expect(ok.stdout).toMatch(/critic\.0: 8 → 64/);
    const bad = await cli(['inspect', f('README.md')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  }, 60_000);
});
