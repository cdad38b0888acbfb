import type { KerasLayerSpec, KerasModel } from './keras-model.js';

/** A Dense layer's folded normalisation: the LayerNormalization or BatchNormalization layer it came from, ε and (batch) momentum. */
export interface FoldedNorm {
  kind: 'layer' | 'batch';
  layer: string;
  epsilon: number;
  momentum?: number;
}

/**
 * A model with each `Dense (linear) → LayerNormalization or BatchNormalization → Activation` (or
 * `Dense (linear) → Activation`) block folded into its Dense layer — the activation into its config, the
 * normalisation as `config.__norm`, a `Dropout` after it as `config.__dropout` (its rate; the
 * engine draws its own masks) — which is exactly the critic engine's layer: x·W + b, then
 * the normalisation, then the nonlinearity (engine/norm-layer.ts). A torch `Linear → LayerNorm →
 * Tanh` exported to ONNX and a Keras `Dense → LayerNormalization → Activation` read so become
 * chains. Folded only where the Dense's output goes nowhere else and the normalisation is the
 * plain kind (last axis, scale and centre, no RMS scaling); anything else stays as it was.
 */
export function foldDenseBlocks(m: KerasModel): KerasModel {
  const layers = m.layers.map((l, i) => ({
    ...l,
    inbound: l.inbound ?? (i > 0 && l.className !== 'InputLayer' ? [m.layers[i - 1]!.name] : undefined),
  }));
  const readers = new Map<string, number>();
  for (const l of layers) for (const n of l.inbound ?? []) readers.set(n, (readers.get(n) ?? 0) + 1);
  const into = new Map<string, KerasLayerSpec>(); // a folded layer's name → the layer now standing for it
  const out: KerasLayerSpec[] = [];
  for (const l of layers) {
    const src = l.inbound?.length === 1 ? l.inbound[0]! : undefined;
    const source = src !== undefined ? standingFor(src, out, into) : undefined;
    // A Flatten of a critic's vectors ([batch, width]: inputs of any other shape are refused) is the identity.
    if (l.className === 'Flatten' && source) {
      into.set(l.name, source);
      // Whoever reads the Flatten reads its source: a Dense read through it and besides is read twice.
      readers.set(l.name, (readers.get(l.name) ?? 0) + readers.get(src!)! - 1);
      continue;
    }
    const dense = source?.className === 'Dense' ? source : undefined;
    const alone = src !== undefined && readers.get(src) === 1;
    const cfg = (dense?.config ?? {}) as { activation?: unknown; __norm?: unknown; __dropout?: unknown; __residual?: unknown };
    // Once a dropout or a residual sum is folded, the block is closed: the engine drops, then adds, after the nonlinearity.
    const closed = !!cfg.__dropout || cfg.__residual !== undefined;
    const linear = (cfg.activation === undefined || cfg.activation === 'linear' || cfg.activation === null) && !closed;
    const residual = l.className === 'Add' ? residualOf(l, out, into, readers) : null;
    if (residual) {
      residual.own.config = { ...residual.own.config, __residual: residual.from };
      into.set(l.name, residual.own);
      continue;
    }
    if (dense && alone && !closed && l.className === 'Dropout' && typeof l.config.rate === 'number' && l.config.rate > 0) {
      if (l.config.noise_shape !== undefined && l.config.noise_shape !== null) {
        out.push({ ...l, config: { ...l.config }, inbound: l.inbound?.map((n) => into.get(n)?.name ?? n) });
        continue;
      }
      dense.config = { ...dense.config, __dropout: l.config.rate };
      into.set(l.name, dense);
      continue;
    }
    if (dense && alone && linear && l.className === 'Activation' && typeof l.config.activation === 'string') {
      dense.config = { ...dense.config, activation: l.config.activation };
      into.set(l.name, dense);
      continue;
    }
    const norm = dense && alone && linear && !cfg.__norm ? foldableNorm(l) : null;
    if (dense && norm) {
      dense.config = { ...dense.config, __norm: norm };
      into.set(l.name, dense);
      continue;
    }
    out.push({ ...l, config: { ...l.config }, inbound: l.inbound?.map((n) => into.get(n)?.name ?? n) });
  }
  if (into.size === 0) return m;
  // Keep Sequential models' implicit chains as they were written (no inbound where none was).
  return {
    ...m,
    layers: out.map((l) => (m.layers.find((o) => o.name === l.name)?.inbound === undefined ? { ...l, inbound: undefined } : l)),
  };
}

/**
 * An `Add` of two Dense outputs as a residual connection: the later Dense (read by nothing but the
 * sum, not yet closed by one) takes the earlier one's output added to its own (`__residual`); the
 * sum then stands for the later Dense. Null for any other Add (an input added, three terms, one
 * term read elsewhere, different widths).
 */
function residualOf(
  l: KerasLayerSpec,
  out: readonly KerasLayerSpec[],
  into: ReadonlyMap<string, KerasLayerSpec>,
  readers: ReadonlyMap<string, number>,
): { own: KerasLayerSpec; from: string } | null {
  if (l.inbound?.length !== 2 || l.inbound[0] === l.inbound[1]) return null;
  const terms = l.inbound.map((n) => ({ n, d: standingFor(n, out, into) }));
  if (terms.some((t) => t.d?.className !== 'Dense')) return null;
  const [a, b] = terms.map((t) => ({ ...t, at: out.indexOf(t.d!) })).sort((x, y) => x.at - y.at) as [Term, Term];
  const units = (d: KerasLayerSpec) => (d.config as { units?: unknown }).units;
  if (readers.get(b.n) !== 1 || (b.d.config as { __residual?: unknown }).__residual !== undefined || units(a.d) !== units(b.d)) return null;
  return { own: b.d, from: a.d.name };
}
type Term = { n: string; d: KerasLayerSpec; at: number };

/** The layer now standing for layer `name`'s output: the one it was folded into, else itself as kept so far. */
function standingFor(name: string, out: readonly KerasLayerSpec[], into: ReadonlyMap<string, KerasLayerSpec>): KerasLayerSpec | undefined {
  return into.get(name) ?? out.find((o) => o.name === name);
}

/**
 * A LayerNormalization or BatchNormalization the engine computes as it is: the last axis, with γ
 * and β; not RMS scaling, batch renormalisation or virtual batches. Keras's ε default is 1e-3,
 * its momentum 0.99.
 */
function foldableNorm(l: KerasLayerSpec): FoldedNorm | null {
  const c = l.config;
  const axis = Array.isArray(c.axis) ? (c.axis.length === 1 ? c.axis[0] : null) : (c.axis ?? -1);
  if ((axis !== -1 && axis !== 1) || c.center === false || c.scale === false) return null;
  const epsilon = typeof c.epsilon === 'number' ? c.epsilon : 1e-3;
  if (l.className === 'LayerNormalization' && c.rms_scaling !== true) return { kind: 'layer', layer: l.name, epsilon };
  const plainBatch = c.renorm !== true && (c.virtual_batch_size === undefined || c.virtual_batch_size === null);
  if (l.className !== 'BatchNormalization' || !plainBatch) return null;
  return { kind: 'batch', layer: l.name, epsilon, momentum: typeof c.momentum === 'number' ? c.momentum : 0.99 };
}
