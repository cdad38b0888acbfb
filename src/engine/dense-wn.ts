import { tf } from '../util/tfjs.js';
import { hasJsKernel } from './js-kernel.js';
import { callKernel, type Fused } from './fused-call.js';
import type { Activation } from '../model/activations.js';
import { normBackward, normForward, type NormForward, type NormKind } from './norm-layer.js';
import { DENSE_BACKWARD_KERNEL, DENSE_FORWARD_KERNEL, FUSED_ACTIVATIONS } from './dense-wn-kernels.js';
import { LAYER_BACKWARD_KERNEL, LAYER_FORWARD_KERNEL } from './dense-layer-kernels.js';

/** Whether this layer's elementwise work runs as one fused JS kernel on the current backend. */
function fused(act: Activation, kernel: string): boolean {
  return FUSED_ACTIVATIONS.has(act.name) && hasJsKernel(kernel);
}

/** One layer's trainable tensors: V (W for plain dense), g (weight norm only) and b. */
export interface LayerParams {
  V: tf.Tensor2D;
  g?: tf.Tensor1D;
  b: tf.Tensor1D;
  /** Scale and shift of batch/layer normalisation. */
  gamma?: tf.Tensor1D;
  beta?: tf.Tensor1D;
}

/** How a layer normalises before its nonlinearity, and (batch norm, evaluation) with which moving averages. */
export interface NormMode {
  kind: NormKind;
  /** ε, where the layer names its own (norm-layer.ts's defaults otherwise). */
  eps?: number;
  moving?: { mean: tf.Tensor1D; variance: tf.Tensor1D };
}

/** Every intermediate of a layer's forward pass, kept for the backward pass and the watchdog. */
export interface LayerForward {
  x: tf.Tensor2D;
  /** x · V */
  xv: tf.Tensor2D;
  /** ‖V‖ per output unit (weight norm only). */
  norm?: tf.Tensor1D;
  /** g / ‖V‖ (weight norm only). */
  scaler?: tf.Tensor1D;
  pre: tf.Tensor2D;
  act: tf.Tensor2D;
  /** With normalisation: the input to it (scaler·x·V + b) and its intermediates. */
  preNorm?: tf.Tensor2D;
  /** With dropout (training): its mask (0 or 1/(1 − rate)) and the layer's output, act × mask. */
  mask?: tf.Tensor2D;
  dropped?: tf.Tensor2D;
  /** With a residual connection: the layer's output, (act or dropped) + the earlier layer's output. */
  sum?: tf.Tensor2D;
  normF?: NormForward & { kind: NormKind };
}

/** What a layer hands the next: its residual sum, else its dropout's output, else its activation. */
export function layerOutput(f: LayerForward): tf.Tensor2D {
  return f.sum ?? f.dropped ?? f.act;
}

export interface LayerBackward {
  dAct: tf.Tensor2D;
  dPre: tf.Tensor2D;
  dScaler?: tf.Tensor1D;
  dXv: tf.Tensor2D;
  dV: tf.Tensor2D;
  dg?: tf.Tensor1D;
  db: tf.Tensor1D;
  /** Gradient w.r.t. the layer's input (absent for the first layer: nothing to send it to). */
  dX?: tf.Tensor2D;
  /** With normalisation: the gradient w.r.t. its input, and w.r.t. γ and β. */
  dPreNorm?: tf.Tensor2D;
  dGamma?: tf.Tensor1D;
  dBeta?: tf.Tensor1D;
}

/**
 * The seed's denseWN, op for op:
 * `x = x·V; scaler = g / sqrt(sum(V², axis 0)); x = scaler·x + b; x = nonlinearity(x)`.
 * With `g` absent it is a plain dense layer `x·W + b`. A fused computation (engine/fused-call.ts):
 * its JS kernel call is yielded to the driver (`runFused` to run it alone).
 */
export function* denseForwardSteps(p: LayerParams, x: tf.Tensor2D, act: Activation, normMode?: NormMode): Fused<LayerForward> {
  if (!normMode && fused(act, LAYER_FORWARD_KERNEL)) return yield* layerForward(p, x, act);
  const xv = tf.matMul(x, p.V) as tf.Tensor2D;
  if (normMode) {
    // Normalised layers run as composed ops (the fused kernels cover plain denseWN only).
    let pre0: tf.Tensor2D;
    let normV: tf.Tensor1D | undefined;
    let scaler: tf.Tensor1D | undefined;
    if (p.g) {
      normV = tf.sqrt(tf.sum(tf.square(p.V), 0)) as tf.Tensor1D;
      scaler = tf.div(p.g, normV) as tf.Tensor1D;
      pre0 = tf.add(tf.mul(scaler, xv), p.b) as tf.Tensor2D;
    } else {
      pre0 = tf.add(xv, p.b) as tf.Tensor2D;
    }
    const nf = normForward(normMode.kind, pre0, p.gamma!, p.beta!, normMode.moving, normMode.eps);
    return {
      x,
      xv,
      norm: normV,
      scaler,
      pre: nf.out,
      act: act.forward(nf.out) as tf.Tensor2D,
      preNorm: pre0,
      normF: { ...nf, kind: normMode.kind },
    };
  }
  if (fused(act, DENSE_FORWARD_KERNEL)) {
    const attrs = { act: act.name, alpha: act.alpha ?? 0, weightNorm: p.g !== undefined };
    if (!p.g) {
      const [pre, out] = (yield* callKernel(DENSE_FORWARD_KERNEL, [xv, p.b], attrs)) as [tf.Tensor2D, tf.Tensor2D];
      return { x, xv, pre, act: out };
    }
    const [norm, scaler, pre, out] = (yield* callKernel(DENSE_FORWARD_KERNEL, [xv, p.b, p.V, p.g], attrs)) as [
      tf.Tensor1D,
      tf.Tensor1D,
      tf.Tensor2D,
      tf.Tensor2D,
    ];
    return { x, xv, norm, scaler, pre, act: out };
  }
  if (!p.g) {
    const pre = tf.add(xv, p.b) as tf.Tensor2D;
    return { x, xv, pre, act: act.forward(pre) as tf.Tensor2D };
  }
  const norm = tf.sqrt(tf.sum(tf.square(p.V), 0)) as tf.Tensor1D;
  const scaler = tf.div(p.g, norm) as tf.Tensor1D;
  const pre = tf.add(tf.mul(scaler, xv), p.b) as tf.Tensor2D;
  return { x, xv, norm, scaler, pre, act: act.forward(pre) as tf.Tensor2D };
}

/**
 * Hand-derived backward of `denseForwardSteps`, following TF1's registered gradients op by op
 * (RealDiv: -dy·x/y/y, Sqrt: dy·0.5/y, Square: dy·2x, MatMul: xᵀ·dy), so non-finite values
 * arise where TF would make them. Checked against tfjs autodiff and finite differences in tests.
 * A fused computation, like the forward.
 */
export function* denseBackwardSteps(
  p: LayerParams,
  f: LayerForward,
  act: Activation,
  dAct: tf.Tensor2D,
  needInputGrad: boolean,
): Fused<LayerBackward> {
  if (!f.normF && fused(act, LAYER_BACKWARD_KERNEL)) return yield* layerBackward(p, f, act, dAct, needInputGrad);
  if (!f.normF && fused(act, DENSE_BACKWARD_KERNEL)) return yield* fusedBackward(p, f, act, dAct, needInputGrad);
  const dPreAct = act.backward(f.pre, f.act, dAct) as tf.Tensor2D;
  const nb = f.normF ? normBackward(f.normF.kind, f.normF, p.gamma!, dPreAct) : undefined;
  // Below, dPre is the gradient w.r.t. scaler·x·V + b (the normalisation's input when there is one).
  const dPre = nb ? nb.dx : dPreAct;
  const db = tf.sum(dPre, 0) as tf.Tensor1D;
  let dXv: tf.Tensor2D;
  let dV: tf.Tensor2D;
  let dScaler: tf.Tensor1D | undefined;
  let dg: tf.Tensor1D | undefined;
  if (p.g && f.scaler && f.norm) {
    dScaler = tf.sum(tf.mul(dPre, f.xv), 0) as tf.Tensor1D;
    dXv = tf.mul(dPre, f.scaler) as tf.Tensor2D;
    dg = tf.div(dScaler, f.norm) as tf.Tensor1D;
    const dNorm = tf.mul(dScaler, tf.div(tf.div(tf.neg(p.g), f.norm), f.norm));
    const dSumSq = tf.div(tf.mul(dNorm, 0.5), f.norm);
    const dVFromNorm = tf.mul(dSumSq, tf.mul(p.V, 2));
    dV = tf.add(tf.matMul(f.x, dXv, true, false), dVFromNorm) as tf.Tensor2D;
  } else {
    dXv = dPre;
    dV = tf.matMul(f.x, dXv, true, false) as tf.Tensor2D;
  }
  const dX = needInputGrad ? (tf.matMul(dXv, p.V, false, true) as tf.Tensor2D) : undefined;
  if (nb) return { dAct, dPre: dPreAct, dScaler, dXv, dV, dg, db, dX, dPreNorm: nb.dx, dGamma: nb.dGamma, dBeta: nb.dBeta };
  return { dAct, dPre, dScaler, dXv, dV, dg, db, dX };
}

/** The backward with everything but the two matmuls in one JS kernel (same ops, same rounding). */
function* fusedBackward(p: LayerParams, f: LayerForward, act: Activation, dAct: tf.Tensor2D, needInputGrad: boolean): Fused<LayerBackward> {
  const attrs = { act: act.name, alpha: act.alpha ?? 0, weightNorm: p.g !== undefined };
  let dPre: tf.Tensor2D;
  let db: tf.Tensor1D;
  let dXv: tf.Tensor2D;
  let dV: tf.Tensor2D;
  let dScaler: tf.Tensor1D | undefined;
  let dg: tf.Tensor1D | undefined;
  if (p.g && f.scaler && f.norm) {
    let dVNorm: tf.Tensor2D;
    [dPre, db, dScaler, dXv, dg, dVNorm] = (yield* callKernel(
      DENSE_BACKWARD_KERNEL,
      [dAct, f.pre, f.act, f.xv, f.scaler, f.norm, p.g, p.V],
      attrs,
    )) as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D];
    dV = tf.add(tf.matMul(f.x, dXv, true, false), dVNorm) as tf.Tensor2D;
  } else {
    [dPre, db] = (yield* callKernel(DENSE_BACKWARD_KERNEL, [dAct, f.pre, f.act], attrs)) as [tf.Tensor2D, tf.Tensor1D];
    dXv = dPre;
    dV = tf.matMul(f.x, dXv, true, false) as tf.Tensor2D;
  }
  const dX = needInputGrad ? (tf.matMul(dXv, p.V, false, true) as tf.Tensor2D) : undefined;
  return { dAct, dPre, dScaler, dXv, dV, dg, db, dX };
}

/** The whole layer forward as one kernel call (matmul included; engine/dense-layer-kernels.ts). */
function* layerForward(p: LayerParams, x: tf.Tensor2D, act: Activation): Fused<LayerForward> {
  const attrs = { act: act.name, alpha: act.alpha ?? 0, weightNorm: p.g !== undefined };
  if (!p.g) {
    const [xv, pre, out] = (yield* callKernel(LAYER_FORWARD_KERNEL, [x, p.V, p.b], attrs)) as tf.Tensor2D[];
    return { x, xv: xv!, pre: pre!, act: out! };
  }
  const [xv, norm, scaler, pre, out] = yield* callKernel(LAYER_FORWARD_KERNEL, [x, p.V, p.b, p.g], attrs);
  return {
    x,
    xv: xv as tf.Tensor2D,
    norm: norm as tf.Tensor1D,
    scaler: scaler as tf.Tensor1D,
    pre: pre as tf.Tensor2D,
    act: out as tf.Tensor2D,
  };
}

/** The whole layer backward as one kernel call (both matmuls included). */
function* layerBackward(p: LayerParams, f: LayerForward, act: Activation, dAct: tf.Tensor2D, needInputGrad: boolean): Fused<LayerBackward> {
  const attrs = { act: act.name, alpha: act.alpha ?? 0, weightNorm: p.g !== undefined, needInputGrad };
  if (p.g && f.scaler && f.norm) {
    const out = yield* callKernel(LAYER_BACKWARD_KERNEL, [dAct, f.pre, f.act, f.x, p.V, f.xv, f.scaler, f.norm, p.g], attrs);
    const [dPre, db, dScaler, dXv, dg, dV, dX] = out as [
      tf.Tensor2D,
      tf.Tensor1D,
      tf.Tensor1D,
      tf.Tensor2D,
      tf.Tensor1D,
      tf.Tensor2D,
      tf.Tensor2D?,
    ];
    return { dAct, dPre, dScaler, dXv, dV, dg, db, dX };
  }
  const [dPre, db, dV, dX] = (yield* callKernel(LAYER_BACKWARD_KERNEL, [dAct, f.pre, f.act, f.x, p.V], attrs)) as [
    tf.Tensor2D,
    tf.Tensor1D,
    tf.Tensor2D,
    tf.Tensor2D?,
  ];
  return { dAct, dPre, dXv: dPre, dV, db, dX };
}
