import { readFileSync } from 'node:fs';
import type onnxProto from 'onnx-proto';
import { lazyRequire } from '../util/lazy-require.js';
import { guardReaderSync, modelError, type KerasLayerSpec, type KerasModel, type KerasTensor } from './keras-model.js';
import { LayerNormPattern, type LayerNormFound } from './onnx-layer-norm.js';

/** onnx-proto's messages, loaded with the first ONNX file (util/lazy-require.ts). */
const onnx = () => (lazyRequire('onnx-proto') as typeof onnxProto).onnx;

/**
 * An ONNX export of a critic (`torch.onnx.export`), decoded with onnx-proto and translated into
 * the layers critic-doctor rebuilds (keras-model.ts's form, so the critic engine runs it): `Gemm`
 * (transB, alpha, beta) and `MatMul` + `Add` become Dense layers named by their weight's
 * initializer (`critic.0`, `fc1`: what the user's module calls them), a following `Relu`, `Tanh`,
 * `Elu`, `Sigmoid`, `Softplus`, `Selu`, `LeakyRelu` or `Gelu` becomes its activation, `Concat` on
 * the feature axis a Concatenate, `LayerNormalization` one too (and so does the ReduceMean / Sub /
 * Pow / Sqrt / Div / Mul / Add pattern older opsets spell it with), an `Add` of two activations a
 * residual connection; `Identity`, `Flatten` and `Dropout` pass through. Any other op is refused naming the node, its op type and the file.
 */

/** A protobuf int64 (a Long) or number as a number. */
function int(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof (v as { toNumber?: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

const ACTIVATION_OPS: Record<string, string> = {
  Relu: 'relu',
  Tanh: 'tanh',
  Elu: 'elu',
  Sigmoid: 'sigmoid',
  Softplus: 'softplus',
  Selu: 'selu',
  LeakyRelu: 'leaky_relu',
  Gelu: 'gelu',
  Mish: 'mish',
};

interface Tensor {
  dims: number[];
  values: Float32Array;
}

function tensorValues(t: onnxProto.onnx.ITensorProto, file: string): Tensor {
  const dims = (t.dims ?? []).map(int);
  if (t.dataType !== onnx().TensorProto.DataType.FLOAT)
    modelError(file, `initializer ${t.name}: data type ${t.dataType} is not float32 (export the model in float32)`);
  const n = dims.reduce((a, b) => a * b, 1);
  let values: Float32Array;
  if (t.rawData && t.rawData.length) {
    if (t.rawData.length !== n * 4) modelError(file, `initializer ${t.name}: ${t.rawData.length} bytes for ${n} floats`);
    const bytes = Uint8Array.from(t.rawData);
    values = new Float32Array(bytes.buffer, 0, n);
  } else values = Float32Array.from(t.floatData ?? []);
  if (values.length !== n) modelError(file, `initializer ${t.name}: ${values.length} values for shape [${dims}]`);
  return { dims, values };
}

function transpose(t: Tensor): Tensor {
  const [r, c] = t.dims as [number, number];
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = t.values[i * c + j]!;
  return { dims: [c, r], values: out };
}

/** Onnx file: see below; whatever it throws ends as one ConfigError (guardReaderSync). */
export function readOnnx(file: string): KerasModel {
  return guardReaderSync(file, 'ONNX file', 'network.model', () => readOnnxUnguarded(file));
}

/** The layer name a weight initializer gives: `critic.0.weight` → `critic.0`, `fc1.weight` → `fc1`. */
function layerName(weight: string): string {
  return weight.replace(/\.(weight|bias)$/, '').replace(/^onnx::/, '') || weight;
}

type Node = onnxProto.onnx.INodeProto;

function readOnnxUnguarded(file: string): KerasModel {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx().ModelProto.decode(readFileSync(file));
  } catch (e) {
    return modelError(file, `not a readable ONNX model (${(e as Error).message.split('\n')[0]})`);
  }
  const g = model.graph ?? modelError(file, 'not an ONNX model: no graph');
  const t = new Translation(file, g);
  for (const n of g.node ?? []) t.node(n);
  const output = g.output?.[0]?.name ?? modelError(file, 'the graph has no output');
  if (t.from.get(output) !== t.layers.at(-1)?.name) modelError(file, `the graph's output ${output} is not its last layer's`);
  return { file, format: 'onnx', kerasVersion: '', modelClass: 'Functional', layers: t.layers, weights: t.weights, optimizerVars: [] };
}

/** The layers an ONNX graph's nodes make, node by node (in the graph's order, which ONNX keeps topological). */
class Translation {
  readonly consts = new Map<string, Tensor>();
  readonly layers: KerasLayerSpec[] = [];
  readonly weights = new Map<string, KerasTensor[]>();
  /** Which layer produces each tensor (its name → the layer's). */
  readonly from = new Map<string, string>();
  private readonly uses = new Map<string, number>();
  private readonly layerNorm = new LayerNormPattern(this.consts);

  constructor(
    private readonly file: string,
    g: onnxProto.onnx.IGraphProto,
  ) {
    for (const init of g.initializer ?? []) this.consts.set(init.name!, tensorValues(init, file));
    for (const n of g.node ?? []) for (const i of n.input ?? []) this.uses.set(i, (this.uses.get(i) ?? 0) + 1);
    for (const input of g.input ?? []) if (!this.consts.has(input.name!)) this.input(input);
  }

  private input(input: onnxProto.onnx.IValueInfoProto): void {
    const dims = input.type?.tensorType?.shape?.dim ?? [];
    const w = dims.length === 2 && dims[1]!.dimValue != null ? int(dims[1]!.dimValue) : 0;
    if (!(w > 0)) {
      const shape = JSON.stringify(dims.map((d) => d.dimParam || int(d.dimValue)));
      modelError(this.file, `input ${input.name}: shape ${shape} has no known width; a critic's inputs are [batch, width]`);
    }
    this.layers.push({ className: 'InputLayer', name: input.name!, config: { batch_shape: [null, w], name: input.name } });
    this.from.set(input.name!, input.name!);
  }

  private source(t: string, node: string): string {
    return this.from.get(t) ?? modelError(this.file, `node ${node}: input ${t} comes from no layer`);
  }

  private dense(name: string, kernel: Tensor, bias: Tensor | null, input: string, node: string): void {
    const units = kernel.dims[1]!;
    const inbound = [this.source(input, node)];
    this.layers.push({ className: 'Dense', name, config: { name, units, activation: 'linear', use_bias: true }, inbound });
    this.weights.set(name, [
      { name: `${name}/kernel`, values: kernel.values, shape: kernel.dims },
      { name: `${name}/bias`, values: bias?.values ?? new Float32Array(units), shape: [units] },
    ]);
  }

  node(n: Node): void {
    const op = n.opType!;
    const name = n.name || op;
    const ins = n.input ?? [];
    const out = n.output?.[0] ?? '';
    const attr = (k: string) => n.attribute?.find((a) => a.name === k);
    const fail = (why: string): never => modelError(this.file, `node ${name} (${op}): ${why}`);
    const constant = (i: string | undefined, what: string) => this.consts.get(i ?? '') ?? fail(`its ${what} ${i} is not a constant`);
    let made: string;
    if (op === 'Constant') {
      const t = attr('value')?.t ?? fail('a Constant without a tensor value');
      return void this.consts.set(out, tensorValues(t, this.file));
    }
    const reduce = { axes: (attr('axes')?.ints ?? []).map(int), keepdims: int(attr('keepdims')?.i ?? 1) };
    const ln = this.layerNorm.read(op, ins, out, reduce, fail);
    if (ln === 'part') return;
    if (ln) made = this.layerNormLayer(ln, name);
    else if (op === 'Identity' || op === 'Flatten' || op === 'Dropout') {
      if (this.consts.has(ins[0]!)) return void this.consts.set(out, this.consts.get(ins[0]!)!);
      made = this.source(ins[0]!, name);
    } else if (op === 'Gemm' || op === 'MatMul') {
      if (int(attr('transA')?.i ?? 0) !== 0) fail('transA is not supported');
      const b = constant(ins[1], 'weight');
      const kernel = op === 'Gemm' && int(attr('transB')?.i ?? 0) ? transpose(b) : b;
      const alpha = attr('alpha')?.f ?? 1;
      const beta = attr('beta')?.f ?? 1;
      const c = op === 'Gemm' && ins[2] ? constant(ins[2], 'bias') : null;
      made = layerName(ins[1]!);
      const scaled = (x: Tensor, k: number) => (k === 1 ? x : { dims: x.dims, values: x.values.map((v) => v * k) });
      this.dense(made, scaled(kernel, alpha), c && scaled(c, beta), ins[0]!, name);
    } else if (op === 'Add' && !this.consts.has(ins[0]!) && !this.consts.has(ins[1]!)) {
      // Two activations added: a residual connection (model/keras-fold.ts reads it as Keras's Add).
      made = name.replace(/^\//, '').replace(/\//g, '.') || 'add';
      this.layers.push({ className: 'Add', name: made, config: { name: made }, inbound: ins.map((i) => this.source(i, name)) });
    } else if (op === 'Add') {
      // MatMul + Add(bias): the bias of the Dense layer the MatMul made.
      const [x, y] = this.consts.has(ins[0]!) ? [ins[1]!, ins[0]!] : [ins[0]!, ins[1]!];
      const l = this.layers.find((q) => q.name === this.from.get(x));
      if (!this.consts.has(y) || !l || (l.className !== 'Dense' && l.className !== 'LayerNormalization'))
        fail('only a bias added to a MatMul (or to a LayerNorm) is supported');
      this.weights.get(l!.name)![1]!.values = Float32Array.from(this.consts.get(y)!.values);
      made = l!.name;
    } else if (op === 'Mul') {
      // A LayerNorm pattern's γ (opset < 17): the scale of the LayerNormalization its Div made.
      const [x, y] = this.consts.has(ins[0]!) ? [ins[1]!, ins[0]!] : [ins[0]!, ins[1]!];
      const l = this.layers.find((q) => q.name === this.from.get(x));
      if (!this.consts.has(y) || !l || l.className !== 'LayerNormalization') fail("only a LayerNorm's scale is supported");
      this.weights.get(l!.name)![0]!.values = Float32Array.from(this.consts.get(y)!.values);
      made = l!.name;
    } else if (ACTIVATION_OPS[op]) {
      made = this.activation(op, ins[0]!, name, attr('alpha')?.f ?? undefined, fail);
    } else if (op === 'Concat') {
      const axis = int(attr('axis')?.i ?? 0);
      if (axis !== 1 && axis !== -1) fail(`concatenates on axis ${axis}; a critic's features are axis 1`);
      made = name.replace(/^\//, '').replace(/\//g, '.') || 'concat';
      const inbound = ins.map((i) => this.source(i, name));
      this.layers.push({ className: 'Concatenate', name: made, config: { name: made, axis: -1 }, inbound });
    } else if (op === 'LayerNormalization') {
      const gamma = constant(ins[1], 'scale');
      const beta = ins[2] ? constant(ins[2], 'bias') : { dims: gamma.dims, values: new Float32Array(gamma.values.length) };
      made = layerName(ins[1]!);
      const config = { name: made, epsilon: attr('epsilon')?.f ?? 1e-5, center: true, scale: true };
      this.layers.push({ className: 'LayerNormalization', name: made, config, inbound: [this.source(ins[0]!, name)] });
      this.weights.set(made, [
        { name: `${made}/gamma`, values: gamma.values, shape: gamma.dims },
        { name: `${made}/beta`, values: beta.values, shape: beta.dims },
      ]);
    } else {
      const known =
        `Gemm, MatMul + Add, Add (residual), ${Object.keys(ACTIVATION_OPS).join(', ')}, Concat, ` +
        'LayerNormalization (or its ReduceMean … Div pattern), Identity, Flatten, Dropout';
      return fail(`op ${op} is not supported (critic-doctor translates ${known})`);
    }
    this.from.set(out, made);
  }

  /** The LayerNormalization layer a LayerNorm pattern's Div makes: γ 1 and β 0 until its Mul and Add. */
  private layerNormLayer(ln: LayerNormFound, node: string): string {
    const made = node.replace(/^\//, '').split('/').slice(0, -1).join('.') || 'layer_norm';
    const units = this.widthOf(ln.x);
    const config = { name: made, epsilon: ln.epsilon, center: true, scale: true };
    this.layers.push({ className: 'LayerNormalization', name: made, config, inbound: [this.source(ln.x, node)] });
    this.weights.set(made, [
      { name: `${made}/gamma`, values: new Float32Array(units).fill(1), shape: [units] },
      { name: `${made}/beta`, values: new Float32Array(units), shape: [units] },
    ]);
    return made;
  }

  /** The feature width of a tensor a layer made (a Dense layer's units, a LayerNorm's). */
  private widthOf(t: string): number {
    const l = this.layers.find((q) => q.name === this.from.get(t));
    const units = l?.className === 'Dense' ? Number(l.config.units) : l ? this.weights.get(l.name)?.[0]?.shape.at(-1) : undefined;
    return units ?? modelError(this.file, `cannot tell the width of ${t} (a LayerNorm must follow a Gemm or MatMul)`);
  }

  /** An activation: folded into the Dense layer it follows when nothing else reads that layer's output, else a layer of its own. */
  private activation(op: string, input: string, node: string, alpha: number | undefined, fail: (why: string) => never): string {
    const act = ACTIVATION_OPS[op]!;
    if (op === 'Elu' && alpha !== undefined && Math.abs(alpha - 1) > 1e-7) fail(`Elu with alpha ${alpha} (only 1) is not supported`);
    const src = this.source(input, node);
    const l = this.layers.find((q) => q.name === src);
    if (l && l.className === 'Dense' && l.config.activation === 'linear' && this.uses.get(input) === 1) {
      l.config.activation = act;
      if (op === 'LeakyRelu') l.config.alpha = alpha ?? 0.01;
      return l.name;
    }
    const name = `${src}.${act}`;
    this.layers.push({ className: 'Activation', name, config: { name, activation: act }, inbound: [src] });
    return name;
  }
}
