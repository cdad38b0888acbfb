import type { Config } from '../config/schema.js';
import { createDataStream } from '../data/data-stream.js';
import { buildCriticSpec, initBuffers, initParams } from '../model/critic.js';
import { createOptimizer } from '../train/optimizers.js';
import type { TrainArgs } from '../train/train-types.js';
import type { Instrument } from '../watch/instrument.js';
import { Watchdog } from '../watch/watchdog.js';

/**
 * `k` watched runs of the benchmark config on seeds seed, seed + 1, …, ready for `train` or
 * `trainEnsemble`; `extra(i)` adds instruments to run i (a memory probe, say).
 */
export async function benchMembers(
  config: Config,
  k: number,
  steps: number,
  extra: (i: number) => Instrument[] = () => [],
): Promise<TrainArgs[]> {
  const spec = buildCriticSpec(config);
  const optimizer = createOptimizer(config.optimizer);
  return Promise.all(
    Array.from({ length: k }, async (_, i) => {
      const c = { ...config, seed: config.seed + i };
      const params = initParams(spec, c.seed);
      return {
        config: c,
        spec,
        stream: await createDataStream(c),
        state: { params, slots: optimizer.initSlots(params), iteration: 0, buffers: initBuffers(spec) },
        steps,
        callbacks: [new Watchdog(c.watch, steps), ...extra(i)],
      };
    }),
  );
}
