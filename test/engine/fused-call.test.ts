import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';
import { runFused, runFusedLockstep } from '../../src/engine/fused-call.js';
import { buildCriticSpec, initParams } from '../../src/model/critic.js';
import { createOptimizer } from '../../src/train/optimizers.js';
import { trainStepSteps } from '../../src/train/step.js';
import type { StepOutput } from '../../src/train/step-types.js';
import { describeEachBackend } from '../helpers/backends.js';
import { Tap } from '../../src/watch/tap.js';
import { seedRaw } from '../helpers/configs.js';

/** Three members' first step (different activations and seeds), their inputs, and a way to read results. */
function members() {
  return ['relu', 'tanh', 'elu'].map((act, k) => {
    const config = validateConfig(seedRaw(act, { seed: k }), '<test>').config;
    const spec = buildCriticSpec(config);
    const optimizer = createOptimizer(config.optimizer);
    const params = initParams(spec, config.seed);
    const states = tf.randomNormal([64, 48], 0, 1, 'float32', 10 + k) as tf.Tensor2D;
    const partial = tf.randomNormal([64, 1], 0, 1, 'float32', 20 + k) as tf.Tensor2D;
    return {
      ctx: { spec, config, optimizer },
      state: { params, slots: optimizer.initSlots(params), iteration: 0 },
      inputs: { states, partial, discount: tf.zerosLike(partial) as tf.Tensor2D },
    };
  });
}
const values = (o: StepOutput) => [...o.params, ...o.slots.flat()].map((t) => Array.from(t.dataSync()));

describeEachBackend('lockstep', () => {
  // The seed's critic runs as one whole-step kernel call (train/whole-step.ts); with a tap that
  // wants the step's tensors it takes the per-layer path: 5 forward + MSE + 5 backward + update.
  for (const [name, tensors, calls] of [
    ['whole step', false, 1],
    ['per-layer kernels', true, 12],
  ] as const)
    it(`members in lockstep give each member’s own results, with one dispatch per kernel for all of them (${name})`, async () => {
      const ms = members();
      const tap = () => (tensors ? new Tap(false) : undefined);
      // tf.profile hands back the same object each time: keep the names, not the object.
      const names = async (f: () => void) => (await tf.profile(f)).kernels.map((k) => k.name);
      const alone = await names(() => {
        ms.map((m) => values(tf.tidy(() => runFused(trainStepSteps(m.ctx, m.state, m.inputs, tap())))));
      });
      const lone = ms.map((m) => values(tf.tidy(() => runFused(trainStepSteps(m.ctx, m.state, m.inputs, tap())))));
      let together: number[][][] = [];
      const joint = await names(() => {
        together = tf.tidy(() => runFusedLockstep(ms.map((m) => trainStepSteps(m.ctx, m.state, m.inputs, tap())))).map(values);
      });
      expect(together).toEqual(lone);
      const fusedCalls = (p: string[]) => p.filter((k) => k.startsWith('CriticDoctor')).length;
      // Alone: `calls` kernel calls per member; together: the same, each grouped.
      expect(fusedCalls(alone)).toBe(3 * calls);
      expect(fusedCalls(joint)).toBe(calls);
      expect(joint.filter((k) => k.endsWith('/group'))).toHaveLength(calls);
      // The matmuls and composed ops still run per member.
      const matmuls = (p: string[]) => p.filter((k) => k === 'BatchMatMul').length;
      expect(matmuls(joint)).toBe(matmuls(alone));
      for (const m of ms) tf.dispose([...m.state.params, ...m.state.slots.flat(), m.inputs.states, m.inputs.partial, m.inputs.discount]);
    });
});
