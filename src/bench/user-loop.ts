import { tf } from '../util/tfjs.js';
import type { Config } from '../config/schema.js';
import { createDataStream } from '../data/data-stream.js';
import { buildCriticSpec, initParams } from '../model/critic.js';

/**
 * The seed critic's training loop as a tfjs user writes it, with no critic-doctor kernel in it:
 * the denseWN forward composed from tfjs ops over tf.variables, `tf.variableGrads` for the
 * gradients, each clipped with its own norm (`clip_by_norm`) and `tf.train.rmsprop` to apply them.
 * This is the loop tfjs's DEBUG flag would be switched on for, so it is the fair peer of the
 * watchdog (`tfjsDebugUserLoop` in the benchmark). Returns steps/s over `steps` minibatches.
 */
export async function userLoopRate(config: Config, steps: number): Promise<number> {
  const spec = buildCriticSpec(config);
  const stream = await createDataStream(config);
  const init = initParams(spec, config.seed);
  const vars = init.map((t, i) => tf.variable(t, true, `userloop/${spec.paramNames[i]}/${Math.random()}`));
  tf.dispose(init);
  const opt = config.optimizer;
  const optimizer = tf.train.rmsprop(opt.lr, opt.type === 'rmsprop' ? opt.decay : 0.9, 0, opt.type === 'rmsprop' ? opt.epsilon : 1e-7);
  const clipNorm = config.clip.norm;
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    const b = stream.sampler.next();
    tf.tidy(() => {
      const x = tf.tensor2d(b.states, [b.size, b.dim]);
      const target = tf.tensor2d(b.partial, [b.size, 1]);
      const { grads } = tf.variableGrads(() => {
        let h: tf.Tensor = x;
        for (const l of spec.layers) {
          const V = vars[l.vIndex]!;
          const xv = tf.matMul(h, V);
          const pre =
            l.gIndex !== undefined
              ? tf.add(tf.mul(tf.div(vars[l.gIndex]!, tf.sqrt(tf.sum(tf.square(V), 0))), xv), vars[l.bIndex]!)
              : tf.add(xv, vars[l.bIndex]!);
          h = l.activation.forward(pre);
        }
        return tf.mean(tf.square(tf.sub(target, h))) as tf.Scalar;
      });
      const clipped: tf.NamedTensorMap = {};
      for (const [name, g] of Object.entries(grads)) {
        // clip_by_norm: g · c / max(‖g‖, c)
        clipped[name] = tf.div(tf.mul(g, clipNorm), tf.maximum(tf.norm(g), clipNorm));
      }
      optimizer.applyGradients(clipped);
    });
  }
  vars[0]!.dataSync();
  const rate = steps / ((performance.now() - t0) / 1000);
  optimizer.dispose();
  tf.dispose(vars);
  return rate;
}
