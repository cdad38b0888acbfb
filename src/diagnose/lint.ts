import type { LoadedConfig } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import { lineOf } from '../config/yaml-source.js';
import { formatPath } from '../config/zod-issues.js';
import { resolveInit } from '../model/initializers.js';
import { isReluLike } from '../model/activation-names.js';

export { LintFindingSchema, type LintFinding } from './lint-finding.js';
import type { LintFinding } from './lint-finding.js';

type Draft = Omit<LintFinding, 'line' | 'path'> & { at: PropertyKey[] };
type Rule = (c: Config) => Draft[];

/**
 * The layers whose starting weights the config's initializers make: none when they come from a saved
 * model (`network.model`) or a state_dict (`network.weights`) — its weights are the file's,
 * whatever `init` and `bInit` default to.
 */
function initialised(c: Config): Config['network']['layers'] {
  return c.network.model || c.network.weights ? [] : c.network.layers;
}

/** The rules: each a small function from the resolved config to findings (with the field they point at). */
const RULES: Rule[] = [
  (c) =>
    initialised(c).flatMap((l, i) => {
      const init = resolveInit(l.init);
      if (!isReluLike(l.activation) || init === 'zeros' || 'torch' in init) return [];
      if (init.mode === 'fan_avg' && init.scale === 1) {
        return [
          {
            rule: 'glorot-with-relu',
            cause: 'init' as const,
            severity: 'warning' as const,
            at: ['network', 'layers', i, 'init'],
            message: `${l.name}: Xavier/Glorot init with ${l.activation}`,
            why:
              'Glorot keeps the variance of symmetric, saturating units (tanh); a relu unit zeroes half its input, so each ' +
              'layer halves the signal variance (or, with unnormalised inputs and positive biases, passes their scale straight ' +
              'through). He init (scale 2, fan_in) is the usual match — but whether it matters here is what `treat` measures.',
            remedy: 'he-init',
          },
        ];
      }
      if (init.mode === 'fan_in' && init.scale === 1 && typeof l.init === 'object') {
        return [
          {
            rule: 'variance-scaling-is-not-he',
            cause: 'init' as const,
            severity: 'warning' as const,
            at: ['network', 'layers', i, 'init'],
            message: `${l.name}: variance_scaling with scale 1.0, fan_in is LeCun init, not He`,
            why:
              "TF1's tf.variance_scaling_initializer() defaults to scale 1.0 — the seed answer's " +
              '"He init" snippet. He init is scale 2.0.',
            remedy: 'he-init',
          },
        ];
      }
      return [];
    }),
  (c) =>
    initialised(c).flatMap((l, i) =>
      // torch_linear draws its own bias (bInit is not used).
      isReluLike(l.activation) && l.bInit > 0 && l.init !== 'torch_linear'
        ? [
            {
              rule: 'positive-bias-with-relu',
              cause: 'init' as const,
              severity: 'info' as const,
              at: ['network', 'layers', i, 'bInit'],
              message: `${l.name}: bias initialised to ${l.bInit} with ${l.activation}`,
              why:
                'A positive bias keeps every relu unit open at the start, so the layer passes the scale of its input through (a ' +
                'weight-normalised layer outputs about g·‖x‖ + b).',
              remedy: 'bias-0.01',
            },
          ]
        : [],
    ),
  (c) => {
    const r = c.regularization;
    return (r.l1 > 0 || r.l2 > 0) && !r.addToLoss
      ? [
          {
            rule: 'regularizer-not-in-loss',
            cause: 'regularizer' as const,
            severity: 'warning' as const,
            at: ['regularization', 'addToLoss'],
            message: `an ${r.l1 > 0 ? 'L1' : 'L2'} regularizer is configured but not added to the loss`,
            why: 'As in the seed: apply_regularization computes the penalty, but closs never includes it, so it has no effect on training.',
            remedy: 'l1-in-loss',
          },
        ]
      : [];
  },
  (c) => {
    const d = c.data;
    const boots = (d.source === 'synthetic' && d.targets === 'bootstrap') || (d.source === 'recorded' && d.targets === 'nStep');
    return boots && d.gamma >= 1
      ? [
          {
            rule: 'bootstrap-gamma-1',
            cause: 'targets' as const,
            severity: 'warning' as const,
            at: ['data', 'gamma'],
            message: `bootstrapped targets with γ = ${d.gamma}`,
            why:
              'r + γ·v(s′) from the critic itself has a fixed point only if episodes end; with γ ≥ 1 and long or continuing ' +
              'episodes the targets chase the critic upwards without bound.',
            remedy: 'target-network',
          },
        ]
      : [];
  },
  (c) => {
    const d = c.data;
    if (d.source !== 'synthetic') return [];
    const out = [];
    if (d.stateScale >= 100 || d.stateScale <= 0.01) {
      out.push({
        rule: 'state-scale',
        cause: 'scale' as const,
        severity: 'warning' as const,
        at: ['data', 'stateScale'],
        message: `states of magnitude ~${d.stateScale}`,
        why:
          'Unnormalised inputs set the scale of every relu layer after them and of the gradients; normalised states keep the ' +
          'first layer in its useful range.',
        remedy: 'normalize-states',
      });
    }
    return out;
  },
  (c) => {
    // Recorded rewards are what the environment paid: only a large factor is suspicious there.
    const d = c.data;
    const s = Math.abs(d.rewardScale);
    return s >= 100 || (d.source === 'synthetic' && s !== 0 && s <= 0.01)
      ? [
          {
            rule: 'reward-scale',
            cause: 'scale' as const,
            severity: 'warning' as const,
            at: ['data', 'rewardScale'],
            message: `rewards scaled by ${d.rewardScale}`,
            why: 'The MSE gradient grows with the size of the returns.',
            remedy: 'reward-scale-0.1',
          },
        ]
      : [];
  },
  (c) =>
    c.clip.mode === 'perTensor'
      ? [
          {
            rule: 'per-tensor-clipping',
            cause: 'optimizer' as const,
            severity: 'info' as const,
            at: ['clip', 'mode'],
            message: 'each gradient is clipped on its own (clip_by_norm per tensor)',
            why:
              'Per-tensor clipping changes the direction of the update (each tensor is rescaled differently); ' +
              'clip_by_global_norm is the usual choice and keeps it.',
            remedy: 'global-clip',
          },
        ]
      : c.clip.mode === 'none' && c.optimizer.type === 'sgd'
        ? [
            {
              rule: 'sgd-without-clipping',
              cause: 'optimizer' as const,
              severity: 'warning' as const,
              at: ['clip', 'mode'],
              message: 'plain SGD without gradient clipping',
              why: 'SGD steps are proportional to the gradient, so nothing bounds a step when the gradient explodes.',
              remedy: 'global-clip',
            },
          ]
        : [],
  (c) => {
    const o = c.optimizer;
    return o.type === 'rmsprop' && o.rmsInit === 0 && o.epsilon <= 1e-6
      ? [
          {
            rule: 'rmsprop-tiny-epsilon',
            cause: 'optimizer' as const,
            severity: 'warning' as const,
            at: ['optimizer', 'epsilon'],
            message: `RMSProp with rmsInit 0 and epsilon ${o.epsilon}`,
            why:
              'With the mean square starting at 0, the first steps are ±lr/sqrt(1 − decay) whatever the gradient, even for a ' +
              'gradient that is only rounding noise; a tiny ε does not damp them.',
            remedy: 'rmsprop-epsilon',
          },
        ]
      : [];
  },
  (c) => {
    const n = c.data.returnNormalization;
    return n && n.epsilon === 0
      ? [
          {
            rule: 'return-norm-no-epsilon',
            cause: 'data' as const,
            severity: 'warning' as const,
            at: ['data', 'returnNormalization', 'epsilon'],
            message: 'return normalisation without epsilon',
            why: '(R − mean)/std is 0/0 = NaN on a minibatch whose returns are all equal (sparse rewards, failed episodes).',
            remedy: 'return-normalization',
          },
        ]
      : [];
  },
];

/** Static warnings for a config, each with its field path, its line, why it matters and the remedy to test. */
export function lintConfig(loaded: Pick<LoadedConfig, 'config' | 'source'>): LintFinding[] {
  return RULES.flatMap((rule) => rule(loaded.config)).map(({ at, ...f }) => {
    const line = loaded.source ? lineOf(loaded.source, at.slice(0, -1), String(at[at.length - 1])) : undefined;
    // In the schema's order, so a report read back (render) writes the same JSON.
    const { rule, cause, severity, message, why, remedy } = f;
    return { rule, cause, severity, path: formatPath(at), ...(line !== undefined ? { line } : {}), message, why, remedy };
  });
}
