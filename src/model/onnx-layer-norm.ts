/**
 * `nn.LayerNorm` as torch.onnx spells it below opset 17 (no LayerNormalization op there):
 * ReduceMean(x) → Sub(x, mean) → Pow(·, 2) → ReduceMean → Add(ε) → Sqrt → Div(centered, std),
 * then Mul(γ) and Add(β). Read node by node beside onnx-model.ts's translation: each node of the
 * pattern is answered 'part' (the tensor it makes is remembered, nothing to add yet) until the
 * Div, which is answered with the pattern's input and ε; the translation makes the layer, and
 * fills in γ and β from the Mul and Add that follow it. A node that starts the pattern and then
 * breaks it is refused, naming the op.
 */

/** How far the pattern has got at a tensor: of which input, its centred tensor and ε. */
interface Part {
  x: string;
  step: 'mean' | 'centered' | 'squared' | 'variance' | 'plusEpsilon' | 'std';
  centered?: string;
  epsilon?: number;
}

/** A whole pattern, read up to its Div: the tensor normalised and ε. */
export interface LayerNormFound {
  x: string;
  epsilon: number;
}

export class LayerNormPattern {
  private readonly parts = new Map<string, Part>();

  constructor(private readonly consts: ReadonlyMap<string, { values: Float32Array }>) {}

  /** One node: 'part' when it is inside the pattern, the pattern at its Div, null when it is not the pattern's. */
  read(
    op: string,
    ins: readonly string[],
    out: string,
    reduce: { axes: number[]; keepdims: number },
    fail: (why: string) => never,
  ): LayerNormFound | 'part' | null {
    const part = (i: string | undefined) => this.parts.get(i ?? '');
    const scalar = (i: string | undefined) => {
      const c = this.consts.get(i ?? '');
      return c && c.values.length === 1 ? c.values[0]! : undefined;
    };
    const set = (p: Part) => (this.parts.set(out, p), 'part' as const);
    if (op === 'ReduceMean') {
      const { axes, keepdims } = reduce;
      if (keepdims !== 1 || axes.length !== 1 || (axes[0] !== -1 && axes[0] !== 1))
        fail(`ReduceMean over axes [${axes}]: only the feature axis (a LayerNorm's) is supported`);
      const p = part(ins[0]);
      if (p?.step === 'squared') return set({ ...p, step: 'variance' });
      return set({ x: ins[0]!, step: 'mean' });
    }
    const mean = part(ins[1]);
    if (op === 'Sub' && mean?.step === 'mean' && mean.x === ins[0]) return set({ ...mean, step: 'centered', centered: out });
    const p = part(ins[0]);
    if (!p) return null;
    if (op === 'Pow' && p.step === 'centered' && scalar(ins[1]) === 2) return set({ ...p, step: 'squared' });
    if (op === 'Add' && p.step === 'variance' && scalar(ins[1]) !== undefined)
      return set({ ...p, step: 'plusEpsilon', epsilon: scalar(ins[1]) });
    if (op === 'Sqrt' && p.step === 'plusEpsilon') return set({ ...p, step: 'std' });
    const std = part(ins[1]);
    if (op === 'Div' && ins[0] === p.centered && std?.step === 'std') return { x: p.x, epsilon: std.epsilon! };
    return fail(`a ${op} inside a LayerNorm pattern (ReduceMean, Sub, Pow 2, ReduceMean, Add ε, Sqrt, Div) where it does not fit`);
  }
}
