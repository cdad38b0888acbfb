import type { tf } from '../util/tfjs.js';
import { runJsKernel, runJsKernelGroups } from './js-kernel.js';

/** A JS kernel call a computation asks for: its driver runs it (alone, or grouped with others). */
export interface KernelCall {
  name: string;
  inputs: readonly tf.Tensor[];
  attrs: object;
}

/**
 * A computation written as a generator that yields each of its JS kernel calls and gets the
 * outputs back. Written once, it runs alone (`runFused`: each call dispatched at once) or in
 * lockstep with other such computations (`runFusedLockstep`: the calls of every member dispatched
 * together). Either way every call sees the same inputs and attributes, so the results are the
 * same bit for bit; only the number of dispatches changes.
 */
export type Fused<T> = Generator<KernelCall, T, tf.Tensor[]>;

/** Asks the driver to run JS kernel `name`; returns its outputs. */
export function* callKernel(name: string, inputs: readonly tf.Tensor[], attrs: object): Fused<tf.Tensor[]> {
  return yield { name, inputs, attrs };
}

/** Runs a fused computation alone: every kernel call dispatched as it comes. */
export function runFused<T>(g: Fused<T>): T {
  let r = g.next();
  while (!r.done) r = g.next(runJsKernel(r.value.name, r.value.inputs, r.value.attrs));
  return r.value;
}

/**
 * Runs independent fused computations together: each round, every computation still running has
 * asked for a kernel call; the calls of the same kernel go out as one grouped dispatch
 * (`runJsKernelGroups`). Computations may differ in shape and even in the calls they make (a
 * member whose activation has no fused kernel composes its ops meanwhile); they only interleave.
 */
export function runFusedLockstep<T>(gs: readonly Fused<T>[]): T[] {
  const results: T[] = new Array(gs.length);
  let waiting: { i: number; call: KernelCall }[] = [];
  const advance = (i: number, r: IteratorResult<KernelCall, T>) => {
    if (r.done) results[i] = r.value;
    else waiting.push({ i, call: r.value });
  };
  gs.forEach((g, i) => advance(i, g.next()));
  while (waiting.length) {
    const round = waiting;
    waiting = [];
    const byName = new Map<string, typeof round>();
    for (const w of round) {
      const same = byName.get(w.call.name);
      if (same) same.push(w);
      else byName.set(w.call.name, [w]);
    }
    for (const [name, ws] of byName) {
      const outs = runJsKernelGroups(
        name,
        ws.map((w) => w.call),
      );
      ws.forEach((w, j) => advance(w.i, gs[w.i]!.next(outs[j]!)));
    }
  }
  return results;
}
