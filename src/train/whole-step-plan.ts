import { ACT_CODES } from '../engine/dense-layer-kernels.js';
import { normEpsilon, normMomentum } from '../engine/norm-layer.js';
import { Tap } from '../watch/tap.js';
import type { WatchPoint } from '../watch/watch-points.js';
import { tapStep, type StepParts } from './step-taps.js';
import type { StepContext } from './step-types.js';

/**
 * Where everything of the whole step (whole-step.ts) lives: one region per intermediate, in step
 * order, laid out once per member and batch size, and the watch points over them — by the one
 * definition of their order (step-taps.ts).
 */

// assembly/norm.ts's kinds: batch statistics, moving averages, per-row statistics.
export const NORM_BATCH_TRAIN = 0;
export const NORM_BATCH_EVAL = 1;
export const NORM_LAYER = 2;

/** A tensor of the step: in the workspace (a float offset), or one of the call's inputs or outputs. */
export interface Region {
  at: 'ws' | 'in' | 'out';
  index: number;
  size: number;
  shape: number[];
}

export interface LayerForwardPlan {
  xv: Region;
  norm?: Region;
  scaler?: Region;
  pre: Region;
  act: Region;
  /** With normalisation: its input (scaler·x·V + b), the statistics, 1/sqrt(σ² + ε) and x̂. */
  preNorm?: Region;
  mean?: Region;
  variance?: Region;
  invStd?: Region;
  xhat?: Region;
}

/** A normalised layer: its kind in the kernels' codes (assembly/norm.ts), ε, γ/β and moving averages. */
export interface NormPlan {
  kind: number;
  eps: number;
  /** Batch norm's moving-average momentum. */
  momentum: number;
  gamma: number;
  beta: number;
  meanBuffer?: number;
  varianceBuffer?: number;
  dPreNorm: Region;
  dGamma: Region;
  dBeta: Region;
  dxhat: Region;
  s1: Region;
  s2: Region;
  /** The dense part's copy of dPreNorm (its backward with a linear activation). */
  denseDPre: Region;
}

export interface LayerPlan {
  I: number;
  U: number;
  wn: boolean;
  act: string;
  code: number;
  alpha: number;
  v: number;
  g?: number;
  b: number;
  fwd: LayerForwardPlan;
  boot?: LayerForwardPlan;
  dAct: Region;
  dPre: Region;
  dScaler?: Region;
  dXv: Region;
  dg?: Region;
  db: Region;
  dV: Region;
  dX?: Region;
  dVNorm?: Region;
  vt?: Region;
  normP?: NormPlan;
  /** The first layer of a critic whose action joins later: it reads each input row's first I entries of `xStride`. */
  xStride?: number;
  /**
   * A later layer the action joins: its input cat([previous output, action], 1) gathered into
   * `cat.fwd` (`cat.boot` for v(s′)), the action being each input row's last `A` entries; its dX the
   * previous layer's gradient, the first I − A columns.
   */
  cat?: { fwd: Region; boot?: Region; A: number; rowWidth: number };
  /**
   * Dropout after the activation (training pass only): the step's mask, the output act × mask the
   * next layer takes, and the output's gradient (`dOut`, the next layer's dX) that dAct = dOut × mask.
   */
  drop?: { rate: number; layer: number; mask: Region; out: Region; dOut?: Region };
  /**
   * A residual connection: the output `fwd` (`boot`) = this layer's (after dropout) + layer
   * `from`'s; the next layer takes it. `dSum`, where later layers add this one's output: the next
   * layer's dX plus their output gradients, in their order.
   */
  res?: { from: number; fwd: Region; boot?: Region };
  dSum?: Region;
  /** The gradient of the layer's output (what its dAct comes from: the same region without dropout). */
  dY: Region;
}

/** What a layer hands the next in a pass: its residual sum, its dropout's output (training), or its activation. */
export function outputOf(L: LayerPlan, which: 'fwd' | 'boot'): Region {
  if (L.res) return L.res[which]!;
  return which === 'fwd' && L.drop ? L.drop.out : L[which]!.act;
}

/** Where everything of a step lives, worked out once per member and batch size. */
export interface Plan {
  B: number;
  n: number;
  slots: number;
  /** Input indices: the parameters, slot k of parameter i, the target network's parameters. */
  paramIn: number;
  targetIn?: number;
  /** Input index of the first moving-average buffer, and the number of buffers (outputs after the loss). */
  bufferIn: number;
  buffers: number;
  nextIn?: number;
  layers: LayerPlan[];
  target: Region;
  /** With return normalisation: (target − mean)/(std + ε), what the loss compares v with. */
  normTarget?: Region;
  error: Region;
  dv: Region;
  loss: Region;
  /** With an added penalty: its value, and each parameter's gradient with the penalty's added. */
  penalty?: Region;
  totalGrads?: Region[];
  grads: Region[];
  clipped: Region[];
  globalNorm?: Region;
  steps: Region[];
  /** The watch points in tap order, and the regions they read. */
  points: WatchPoint[];
  watched: Region[];
  statsTmp: Region;
  wsSize: number;
}

// eslint-disable-next-line max-lines-per-function -- the step's layout: one region per intermediate, in step order
export function makePlan(ctx: StepContext, B: number, bootstrap: boolean, hasTarget: boolean): Plan {
  const { spec, optimizer, config } = ctx;
  const n = spec.paramShapes.length;
  const slots = optimizer.slotNames.length;
  let ws = 0;
  const region = (shape: number[]): Region => {
    const size = shape.reduce((a, b) => a * b, 1);
    const r: Region = { at: 'ws', index: ws, size, shape };
    ws += size + ((4 - (size % 4)) % 4); // 16-byte aligned, for the SIMD loads
    return r;
  };
  const io = (at: 'in' | 'out', index: number, shape: number[]): Region => ({ at, index, size: shape.reduce((a, b) => a * b, 1), shape });
  const nextIn = bootstrap ? 3 : undefined;
  const paramIn = bootstrap ? 4 : 3;
  const forwardPlan = (U: number, wn: boolean, norm: string): LayerForwardPlan => {
    const stat = norm === 'layer' ? [B] : [U];
    return {
      xv: region([B, U]),
      ...(wn ? { norm: region([U]), scaler: region([U]) } : {}),
      pre: region([B, U]),
      act: region([B, U]),
      ...(norm !== 'none'
        ? { preNorm: region([B, U]), mean: region(stat), variance: region(stat), invStd: region(stat), xhat: region([B, U]) }
        : {}),
    };
  };
  const normPlan = (l: StepContext['spec']['layers'][number], U: number): NormPlan => {
    const stat = l.norm === 'layer' ? [B] : [U];
    return {
      kind: l.norm === 'layer' ? NORM_LAYER : NORM_BATCH_TRAIN,
      eps: normEpsilon(l.norm === 'layer' ? 'layer' : 'batch', l.config.normEpsilon),
      momentum: normMomentum(l.config.normMomentum),
      gamma: l.gammaIndex!,
      beta: l.betaIndex!,
      meanBuffer: l.meanBuffer,
      varianceBuffer: l.varianceBuffer,
      dPreNorm: region([B, U]),
      dGamma: region([U]),
      dBeta: region([U]),
      dxhat: region([B, U]),
      s1: region(stat),
      s2: region(stat),
      denseDPre: region([B, U]),
    };
  };
  const A = spec.actionDim;
  const layers: LayerPlan[] = spec.layers.map((l, i) => {
    const [I, U] = spec.paramShapes[l.vIndex] as [number, number];
    const wn = l.gIndex !== undefined;
    const later = i > 0 && l.actionIn;
    const cat = later ? { fwd: region([B, I]), ...(bootstrap ? { boot: region([B, I]) } : {}), A, rowWidth: spec.inputDim } : undefined;
    return {
      ...(i === 0 && A > 0 && !l.actionIn ? { xStride: spec.inputDim } : {}),
      ...(cat ? { cat } : {}),
      ...(l.config.dropout ? { drop: { rate: l.config.dropout, layer: l.index, mask: region([B, U]), out: region([B, U]) } } : {}),
      ...(l.residualFrom !== undefined
        ? { res: { from: l.residualFrom, fwd: region([B, U]), ...(bootstrap ? { boot: region([B, U]) } : {}) } }
        : {}),
      I,
      U,
      wn,
      act: l.activation.name,
      code: ACT_CODES[l.activation.name]!,
      alpha: l.activation.alpha ?? 0,
      v: l.vIndex,
      g: l.gIndex,
      b: l.bIndex,
      fwd: forwardPlan(U, wn, l.norm),
      ...(bootstrap ? { boot: forwardPlan(U, wn, l.norm) } : {}),
      ...(l.norm !== 'none' ? { normP: normPlan(l, U) } : {}),
    } as LayerPlan;
  });
  const last = layers[layers.length - 1]!;
  const target = bootstrap ? region([B, 1]) : io('in', 1, [B, 1]);
  const normTarget = config.data.returnNormalization ? region([B, 1]) : undefined;
  const reg = config.regularization;
  const penalized = reg.addToLoss && (reg.l1 > 0 || reg.l2 > 0);
  const penalty = penalized ? region([]) : undefined;
  const error = region([B, 1]);
  const dv = region([B, 1]);
  const loss = io('out', n + slots * n, []);
  const buffers = spec.bufferNames.length;
  for (let i = layers.length - 1; i >= 0; i--) {
    const L = layers[i]!;
    L.dY = i === layers.length - 1 ? dv : layers[i + 1]!.dX!;
    if (layers.some((o) => o.res?.from === i)) L.dY = L.dSum = region([B, L.U]);
    L.dAct = L.dY;
    if (L.drop) {
      L.drop.dOut = L.dY;
      L.dAct = region([B, L.U]);
    }
    L.dPre = region([B, L.U]);
    L.db = region([L.U]);
    if (L.wn) {
      L.dScaler = region([L.U]);
      L.dXv = region([B, L.U]);
      L.dg = region([L.U]);
      L.dVNorm = region([L.I, L.U]);
    } else L.dXv = L.normP ? L.normP.denseDPre : L.dPre;
    L.dV = region([L.I, L.U]);
    if (i > 0) {
      const cols = L.I - (L.cat ? L.cat.A : 0);
      L.dX = region([B, cols]);
      L.vt = region([L.U, cols]);
    }
  }
  const grads: Region[] = new Array(n);
  for (const L of layers) {
    grads[L.v] = L.dV;
    if (L.g !== undefined) grads[L.g] = L.dg!;
    grads[L.b] = L.db;
    if (L.normP) {
      grads[L.normP.gamma] = L.normP.dGamma;
      grads[L.normP.beta] = L.normP.dBeta;
    }
  }
  const shapes = spec.paramShapes.map((s) => [...s]);
  const totalGrads = penalized ? shapes.map((s) => region(s)) : undefined;
  const clipped = config.clip.mode === 'none' ? (totalGrads ?? grads) : shapes.map((s) => region(s));
  const globalNorm = config.clip.mode === 'global' ? region([]) : undefined;
  const steps = shapes.map((s) => region(s));
  const newParams = shapes.map((s, i) => io('out', i, s));
  const newSlots = Array.from({ length: slots }, (_, k) => shapes.map((s, i) => io('out', n + k * n + i, s)));

  // The watch points, by the one definition of their order (step-taps.ts) over these regions.
  const tap = new Tap<Region>(true);
  const parts = {
    fwd: layers.map((L) => ({
      xv: L.fwd.xv,
      scaler: L.fwd.scaler,
      pre: L.fwd.pre,
      act: L.fwd.act,
      preNorm: L.fwd.preNorm,
      sum: L.res?.fwd,
    })),
    loss: { vNext: bootstrap ? last.boot!.act : undefined, target, normalizedTarget: normTarget, error, penalty, loss },
    layers: layers.map((L) => ({
      ...{ dAct: L.dAct, dPre: L.dPre, dScaler: L.dScaler, dXv: L.dXv, dV: L.dV, dg: L.dg, db: L.db },
      ...(L.normP ? { dPreNorm: L.normP.dPreNorm, dGamma: L.normP.dGamma, dBeta: L.normP.dBeta } : {}),
    })),
    clipped,
    globalNorm,
    upd: { params: newParams, slots: newSlots },
    steps,
  };
  // tapStep reads nothing of what it is handed but which parts exist and each one's size.
  tapStep(tap as unknown as Tap, ctx, parts as unknown as StepParts);
  const statsTmp = region([9 * tap.tensors.length]);
  return {
    B,
    n,
    slots,
    paramIn,
    targetIn: hasTarget ? paramIn + n + slots * n : undefined,
    bufferIn: paramIn + n + slots * n + (hasTarget ? n : 0),
    buffers,
    nextIn,
    layers,
    target,
    normTarget,
    error,
    dv,
    loss,
    penalty,
    totalGrads,
    grads,
    clipped,
    globalNorm,
    steps,
    points: tap.points,
    watched: tap.tensors,
    statsTmp,
    wsSize: ws,
  };
}
