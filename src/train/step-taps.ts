import type { tf } from '../util/tfjs.js';
import type { CriticSpec } from '../model/critic.js';
import type { LayerBackward, LayerForward } from '../engine/dense-wn.js';
import type { Tap } from '../watch/tap.js';
import type { LossParts, StepContext, Update } from './step-types.js';

/** What one step computed, for the watchdog. */
export interface StepParts {
  fwd: LayerForward[];
  loss: LossParts;
  layers: LayerBackward[];
  clipped: tf.Tensor[];
  globalNorm?: tf.Scalar;
  upd: Update['upd'];
  steps?: Update['steps'];
}

/**
 * Hands a step's intermediates to the watchdog's tap, named, in the order the step computed them
 * (forward by layer, loss, backward from the last layer, clipping, update): that order decides
 * which tensor is "first" within a step.
 */
export function tapStep(tap: Tap, ctx: StepContext, s: StepParts): void {
  const { spec, config, optimizer } = ctx;
  spec.layers.forEach((l, i) => {
    const f = s.fwd[i]!;
    tap.add('forward', l.name, l.weightNorm ? 'x·V' : 'x·W', f.xv, { role: 'matmul' });
    if (f.scaler) tap.add('forward', l.name, 'scaler', f.scaler);
    if (f.preNorm) tap.add('forward', l.name, `${l.norm}-norm input`, f.preNorm);
    const { inactivity, saturationThreshold } = l.activation;
    tap.add('forward', l.name, 'pre-activation', f.pre, { inactivity, saturationThreshold, role: 'pre' });
    tap.add('forward', l.name, 'activation', f.act, { role: 'output' });
    if (f.sum) tap.add('forward', l.name, `residual sum (+ ${spec.layers[l.residualFrom!]!.name})`, f.sum);
  });

  const lp = s.loss;
  if (lp.vNext) tap.add('loss', null, 'bootstrap value v(s′)', lp.vNext);
  tap.add('loss', null, 'target', lp.target, { role: 'target' });
  if (lp.normalizedTarget) tap.add('loss', null, 'normalized target', lp.normalizedTarget);
  tap.add('loss', null, 'error (target − v)', lp.error);
  if (lp.penalty) tap.add('loss', null, 'regularization penalty', lp.penalty);
  tap.add('loss', null, 'loss', lp.loss, { role: 'loss' });

  for (let i = spec.layers.length - 1; i >= 0; i--) {
    const l = spec.layers[i]!;
    const b = s.layers[i]!;
    const param = (k: number | undefined) => ({ param: spec.paramNames[k!] });
    const own = (k: number | undefined) => ({ ...param(k), role: 'param-grad' as const });
    tap.add('backward', l.name, 'gradient of activation', b.dAct);
    tap.add('backward', l.name, 'gradient of pre-activation', b.dPre);
    if (b.dPreNorm) tap.add('backward', l.name, `gradient of ${l.norm}-norm input`, b.dPreNorm);
    if (b.dGamma) tap.add('backward', l.name, 'gradient of gamma', b.dGamma, param(l.gammaIndex));
    if (b.dBeta) tap.add('backward', l.name, 'gradient of beta', b.dBeta, param(l.betaIndex));
    if (b.dScaler) tap.add('backward', l.name, 'gradient of scaler', b.dScaler);
    if (b.dScaler) tap.add('backward', l.name, 'gradient of x·V', b.dXv);
    tap.add('backward', l.name, `gradient of ${l.weightNorm ? 'V' : 'W'}`, b.dV, own(l.vIndex));
    if (b.dg) tap.add('backward', l.name, 'gradient of g', b.dg, own(l.gIndex));
    tap.add('backward', l.name, 'gradient of b', b.db, own(l.bIndex));
  }

  if (s.globalNorm) tap.add('clip', null, 'global gradient norm', s.globalNorm);
  if (config.clip.mode !== 'none') {
    for (const l of spec.layers) {
      for (const i of paramIndices(l))
        tap.add('clip', l.name, `clipped gradient of ${shortName(spec, i)}`, s.clipped[i]!, { param: spec.paramNames[i] });
    }
  }

  for (const l of spec.layers) {
    for (const i of paramIndices(l)) {
      optimizer.slotNames.forEach((name, k) =>
        tap.add('update', l.name, `${name} of ${shortName(spec, i)}`, s.upd.slots[k]![i]!, { param: spec.paramNames[i] }),
      );
      const role = i === l.vIndex ? 'weight' : i === l.gIndex ? 'gain' : undefined;
      tap.add('update', l.name, shortName(spec, i), s.upd.params[i]!, { param: spec.paramNames[i], ...(role ? { role } : {}) });
      // The main weight's step, for the update-to-weight ratio ‖Δθ‖/‖θ‖.
      if (i === l.vIndex && s.steps)
        tap.add('update', l.name, `step of ${shortName(spec, i)}`, s.steps[i]!, { param: spec.paramNames[i], role: 'weight-step' });
    }
  }
}

function paramIndices(l: CriticSpec['layers'][number]): number[] {
  const out = l.gIndex !== undefined ? [l.vIndex, l.gIndex, l.bIndex] : [l.vIndex, l.bIndex];
  if (l.gammaIndex !== undefined) out.push(l.gammaIndex, l.betaIndex!);
  return out;
}

/** `l3/V` → `V` */
function shortName(spec: CriticSpec, i: number): string {
  const n = spec.paramNames[i]!;
  return n.slice(n.lastIndexOf('/') + 1);
}
