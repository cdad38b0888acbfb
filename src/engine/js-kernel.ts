import { tf } from '../util/tfjs.js';

/**
 * Custom tfjs kernels whose body is a JavaScript loop over the tensors' own memory, registered for
 * the CPU-side backends (wasm: the wasm heap; cpu: the backend's arrays). One dispatch replaces
 * the dozens of tiny kernels a fused elementwise computation would otherwise take, which is where
 * the time goes at this network size. Other backends never see these kernels: callers check
 * `hasJsKernel` and fall back to the same computation composed from tfjs ops.
 */
export interface JsKernelSpec<A> {
  name: string;
  /** Output shapes from input shapes and attributes. */
  outShapes(inShapes: number[][], attrs: A): number[][];
  /**
   * Floats of working memory the call needs, if any: allocated where the tensors live (the wasm
   * heap, before any view is taken, since an allocation may grow the heap) and freed after it.
   */
  scratch?(inShapes: number[][], attrs: A): number;
  /** Reads `ins`, writes every element of every `outs` array; `tmp` is the scratch. */
  run(ins: Float32Array[], inShapes: number[][], outs: Float32Array[], attrs: A, tmp: Float32Array): void;
}

interface WasmLike {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}
interface CpuLike {
  data: { get(id: unknown): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

const BACKENDS = ['wasm', 'cpu'] as const;

/** Registered kernels by name, for their grouped twins (`runJsKernelGroups`). */
const SPECS = new Map<string, JsKernelSpec<unknown>>();
const GROUP_SUFFIX = '/group';

/** Attributes of a grouped call: how many inputs each group has, and each group's own attributes. */
interface GroupAttrs {
  counts: number[];
  each: unknown[];
}

function ordered(inputs: tf.NamedTensorInfoMap): tf.TensorInfo[] {
  const n = Object.keys(inputs).length;
  return Array.from({ length: n }, (_, i) => inputs[`t${i}`]!);
}

/**
 * How each CPU-side backend exposes tensor memory: views of the inputs, and outputs allocated
 * before any view is taken (a wasm allocation may grow the heap and detach earlier views).
 */
const MEMORY: Record<
  (typeof BACKENDS)[number],
  (backend: unknown) => {
    view(t: tf.TensorInfo): Float32Array;
    /** Outputs, and `scratch` floats of working memory (the last view; `free` releases it). */
    outputs(shapes: number[][], scratch: number): { views: Float32Array[]; infos(): tf.TensorInfo[]; free(): void };
  }
> = {
  wasm: (backend) => {
    const be = backend as WasmLike;
    return {
      view: (t) => be.typedArrayFromHeap(t),
      outputs: (shapes, scratch) => {
        const infos = shapes.map((s) => be.makeOutput(s, 'float32'));
        const tmp = be.makeOutput([Math.max(scratch, 1)], 'float32');
        return {
          views: [...infos, tmp].map((t) => be.typedArrayFromHeap(t)),
          infos: () => infos,
          free: () => be.disposeData(tmp.dataId, true),
        };
      },
    };
  },
  cpu: (backend) => {
    const be = backend as CpuLike;
    return {
      view: (t) => be.data.get(t.dataId).values,
      outputs: (shapes, scratch) => {
        const views = shapes.map((s) => new Float32Array(s.reduce((p, d) => p * d, 1)));
        return {
          views: [...views, new Float32Array(scratch)],
          infos: () => views.map((v, i) => be.makeTensorInfo(shapes[i]!, 'float32', v)),
          free: () => {},
        };
      },
    };
  },
};

/**
 * Registers a JS kernel on the wasm and cpu backends (once), with its grouped twin: one dispatch
 * that runs the kernel on several independent input groups (an ensemble's members), each group
 * through the same `run` on its own slices, so every group's outputs are those of its own call.
 */
export function registerJsKernel<A>(spec: JsKernelSpec<A>): void {
  SPECS.set(spec.name, spec as JsKernelSpec<unknown>);
  registerOn(spec);
  const groupOf = <T>(xs: T[], counts: number[]): T[][] => {
    let o = 0;
    return counts.map((c) => xs.slice(o, (o += c)));
  };
  registerOn<GroupAttrs>({
    name: spec.name + GROUP_SUFFIX,
    outShapes: (inShapes, a) => groupOf(inShapes, a.counts).flatMap((s, g) => spec.outShapes(s, a.each[g] as A)),
    // The groups run one after another, so they share one scratch of the largest size.
    scratch: spec.scratch
      ? (inShapes, a) => Math.max(0, ...groupOf(inShapes, a.counts).map((s, g) => spec.scratch!(s, a.each[g] as A)))
      : undefined,
    run: (ins, inShapes, outs, a, tmp) => {
      const shapes = groupOf(inShapes, a.counts);
      const outCounts = shapes.map((s, g) => spec.outShapes(s, a.each[g] as A).length);
      const outGroups = groupOf(outs, outCounts);
      groupOf(ins, a.counts).forEach((groupIns, g) => spec.run(groupIns, shapes[g]!, outGroups[g]!, a.each[g] as A, tmp));
    },
  });
}

function registerOn<A>(spec: JsKernelSpec<A>): void {
  for (const backendName of BACKENDS) {
    if (tf.getKernel(spec.name, backendName)) continue;
    tf.registerKernel({
      kernelName: spec.name,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const mem = MEMORY[backendName](backend);
        const ins = ordered(inputs);
        const a = attrs as unknown as A;
        const inShapes = ins.map((t) => t.shape);
        const outShapes = spec.outShapes(inShapes, a);
        const outs = mem.outputs(outShapes, spec.scratch?.(inShapes, a) ?? 0);
        try {
          spec.run(
            ins.map((t) => mem.view(t)),
            inShapes,
            outs.views.slice(0, outShapes.length),
            a,
            outs.views[outShapes.length]!,
          );
        } finally {
          outs.free();
        }
        return outs.infos();
      },
    });
  }
}

/** Whether `name` runs as a JS kernel on the current backend (and the fused path is not switched off). */
export function hasJsKernel(name: string): boolean {
  return fusedEnabled && (BACKENDS as readonly string[]).includes(tf.getBackend()) && tf.getKernel(name, tf.getBackend()) !== undefined;
}

let fusedEnabled = true;

/** Switches the fused kernels off (tests compare them with the composed reference; the benchmark measures both). */
export function setFusedKernels(on: boolean): void {
  fusedEnabled = on;
}

/**
 * Runs the same registered JS kernel on several independent calls in one dispatch; returns each
 * call's outputs, as `runJsKernel` would have for that call alone (a single call runs as itself).
 */
export function runJsKernelGroups(name: string, calls: readonly { inputs: readonly tf.Tensor[]; attrs: object }[]): tf.Tensor[][] {
  if (calls.length === 1) return [runJsKernel(name, calls[0]!.inputs, calls[0]!.attrs)];
  const spec = SPECS.get(name)!;
  const counts = calls.map((c) => c.inputs.length);
  const out = runJsKernel(
    name + GROUP_SUFFIX,
    calls.flatMap((c) => c.inputs),
    { counts, each: calls.map((c) => c.attrs) },
  );
  let o = 0;
  return calls.map((c) =>
    out.slice(
      o,
      (o += spec.outShapes(
        c.inputs.map((t) => t.shape),
        c.attrs,
      ).length),
    ),
  );
}

/** Runs a registered JS kernel on tensors; returns its outputs. */
export function runJsKernel(name: string, tensors: readonly tf.Tensor[], attrs: object): tf.Tensor[] {
  const inputs: tf.NamedTensorMap = {};
  tensors.forEach((t, i) => (inputs[`t${i}`] = t));
  const out = tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap);
  return Array.isArray(out) ? out : [out];
}
