import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';
import { buildGrid, shardCells } from '../../src/core/cell.js';
import { activationVariant, defaultCompareLayers } from '../../src/diagnose/activation-variant.js';
import { createDataStream } from '../../src/data/data-stream.js';
import { buildCriticSpec, initParams } from '../../src/model/critic.js';
import { describeEachBackend } from '../helpers/backends.js';
import { seedRaw } from '../helpers/configs.js';

const base = validateConfig(
  seedRaw('tanh', { data: { source: 'synthetic', transitions: 512, stateScale: 1000, targets: 'bootstrap', gamma: 1 } }),
).config;

describeEachBackend('activation variants', () => {
  it('same seed → the relu and tanh runs start from identical V, g, b', () => {
    const layers = defaultCompareLayers(base);
    expect(layers).toEqual(['l3', 'l3_1', 'l3_2']);
    const relu = activationVariant(base, layers, 'relu', 5);
    const tanh = activationVariant(base, layers, 'tanh', 5);
    expect(relu.network.layers.map((l) => l.activation)).toEqual(['relu', 'relu', 'relu', 'linear', 'linear']);
    const a = initParams(buildCriticSpec(relu), relu.seed);
    const b = initParams(buildCriticSpec(tanh), tanh.seed);
    a.forEach((t, i) => expect(Array.from(t.dataSync())).toEqual(Array.from(b[i]!.dataSync())));
    // A different seed does change them (the check above can fail).
    const c = initParams(buildCriticSpec(relu), 6);
    expect(Array.from(c[0]!.dataSync())).not.toEqual(Array.from(a[0]!.dataSync()));
    tf.dispose([...a, ...b, ...c]);
  });
});

describe('activation variants: data', () => {
  it('same seed → identical minibatches for every activation', async () => {
    const layers = defaultCompareLayers(base);
    const s1 = (await createDataStream(activationVariant(base, layers, 'relu', 5))).sampler;
    const s2 = (await createDataStream(activationVariant(base, layers, 'elu', 5))).sampler;
    for (let i = 0; i < 20; i++) {
      const b1 = s1.next();
      const b2 = s2.next();
      expect(Array.from(b1.indices)).toEqual(Array.from(b2.indices));
      expect(Buffer.from(b1.states.buffer).equals(Buffer.from(b2.states.buffer))).toBe(true);
      expect(Array.from(b1.partial)).toEqual(Array.from(b2.partial));
    }
    const other = (await createDataStream(activationVariant(base, layers, 'relu', 6))).sampler.next();
    expect(Array.from(other.indices)).not.toEqual(
      Array.from((await createDataStream(activationVariant(base, layers, 'relu', 5))).sampler.next().indices),
    );
  });

  it('shards partition the grid deterministically', () => {
    const grid = buildGrid(['relu', 'elu', 'tanh'], [0, 1, 2, 3]);
    expect(grid).toHaveLength(12);
    const shards = [1, 2, 3, 4, 5].map((i) => shardCells(grid, i, 5));
    const all = shards
      .flat()
      .map((c) => c.index)
      .sort((a, b) => a - b);
    expect(all).toEqual(grid.map((c) => c.index));
    expect(shardCells(grid, 2, 5)).toEqual(shardCells(grid, 2, 5));
    expect(shards.map((s) => s.length)).toEqual([3, 3, 2, 2, 2]);
  });
});
