import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tf } from '../util/tfjs.js';
import { dump } from 'npyjs';
import { DataError } from '../config/errors.js';
import { validateConfig } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import type { SamplerState } from '../data/batch-sampler.js';
import type { Batch } from '../data/transitions.js';
import { readNpy } from '../data/recorded/npy.js';
import type { StepRecord } from '../train/train-types.js';
import type { TrainState } from '../train/step-types.js';
import type { FirstEvent } from '../watch/events.js';
import { TOOL_VERSION } from '../version.js';

/** What `manifest.json` in a dump folder says (the arrays lie beside it as .npy, loadable by numpy). */
export interface DumpManifest {
  tool: { name: string; version: string };
  /** The step that failed; the parameters and slots are the state *before* it. */
  step: number;
  iteration: number;
  /** The first event seen at that step, which `replay` must reproduce. */
  event: FirstEvent;
  config: Config;
  configHash: string;
  params: { name: string; file: string; shape: number[] }[];
  slots: { slot: number; name: string; file: string; shape: number[] }[];
  batch: {
    states: string;
    partial: string;
    discount: string;
    nextStates?: string;
    indices: string;
    size: number;
    dim: number;
    /** A Q(s, a) critic's: the batch's actions and the next actions its bootstrapped values took. */
    actions?: string;
    nextActions?: string;
    actionDim?: number;
  };
  /** The sampler's position after drawing that batch (seeded RNG state, cursor, epoch order). */
  sampler: SamplerState;
}

/** The .npy file name of a parameter (`l3/V` → `l3__V.npy`). */
export const fileName = (name: string) => `${name.replace(/[^A-Za-z0-9_.-]/g, '__')}.npy`;

function npy(values: Float32Array | Int32Array, shape: number[]): Uint8Array {
  return new Uint8Array(dump(values, shape));
}

/**
 * Writes a crash dump of a step: the parameters and optimizer slots before it, its minibatch, the
 * sampler's RNG state and the config, as .npy files plus a JSON manifest. Written to a temporary
 * folder and renamed into place, so a dump is whole or absent.
 */
export function writeDump(dir: string, rec: StepRecord, event: FirstEvent, config: Config, configHash: string): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const names = rec.ctx.spec.paramNames;
  const put = (file: string, bytes: Uint8Array) => writeFileSync(path.join(tmp, file), bytes);
  const params = rec.before.params.map((t, i) => {
    const file = fileName(names[i]!);
    put(file, npy(t.dataSync() as Float32Array, t.shape));
    return { name: names[i]!, file, shape: t.shape };
  });
  const slots = rec.before.slots.flatMap((slot, k) =>
    slot.map((t, i) => {
      const file = fileName(`slot${k}_${names[i]!}`);
      put(file, npy(t.dataSync() as Float32Array, t.shape));
      return { slot: k, name: names[i]!, file, shape: t.shape };
    }),
  );
  const b = rec.batch;
  put('batch_states.npy', npy(b.states, [b.size, b.dim]));
  put('batch_partial.npy', npy(b.partial, [b.size]));
  put('batch_discount.npy', npy(b.discount, [b.size]));
  put('batch_indices.npy', npy(b.indices, [b.size]));
  if (b.nextStates) put('batch_next_states.npy', npy(b.nextStates, [b.size, b.dim]));
  const A = b.actionDim ?? 0;
  if (b.actions) put('batch_actions.npy', npy(b.actions, [b.size, A]));
  if (b.nextActions) put('batch_next_actions.npy', npy(b.nextActions, [b.size, A]));
  const manifest: DumpManifest = {
    tool: { name: 'critic-doctor', version: TOOL_VERSION },
    step: rec.step,
    iteration: rec.before.iteration,
    event,
    config,
    configHash,
    params,
    slots,
    batch: {
      states: 'batch_states.npy',
      partial: 'batch_partial.npy',
      discount: 'batch_discount.npy',
      indices: 'batch_indices.npy',
      ...(b.nextStates ? { nextStates: 'batch_next_states.npy' } : {}),
      ...(b.actions ? { actions: 'batch_actions.npy', actionDim: A } : {}),
      ...(b.nextActions ? { nextActions: 'batch_next_actions.npy' } : {}),
      size: b.size,
      dim: b.dim,
    },
    sampler: rec.sampler,
  };
  writeFileSync(path.join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

/** Reads a dump folder back: config, state (as tensors; the caller disposes them), batch. */
export function readDump(dir: string): { manifest: DumpManifest; config: Config; state: TrainState; batch: Batch } {
  const mf = path.join(dir, 'manifest.json');
  let manifest: DumpManifest;
  try {
    manifest = JSON.parse(readFileSync(mf, 'utf8')) as DumpManifest;
  } catch (e) {
    throw new DataError(
      `not a critic-doctor dump (${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no manifest.json' : (e as Error).message})`,
      { file: mf },
    );
  }
  const config = validateConfig(manifest.config, mf).config;
  const arr = (file: string) => {
    const f = path.join(dir, file);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(f);
    } catch {
      throw new DataError('missing from the dump', { file: f });
    }
    return readNpy(bytes, { file: f });
  };
  const tensor = (file: string, shape: number[]) => {
    const a = arr(file);
    if (a.shape.join(',') !== shape.join(','))
      throw new DataError(`shape (${a.shape.join(', ')}), expected (${shape.join(', ')})`, { file: path.join(dir, file) });
    return tf.tensor(Float32Array.from(a.values), shape);
  };
  const params = manifest.params.map((p) => tensor(p.file, p.shape));
  const nSlots = manifest.slots.reduce((m, s) => Math.max(m, s.slot + 1), 0);
  const slots = Array.from({ length: nSlots }, (_, k) => manifest.slots.filter((s) => s.slot === k).map((s) => tensor(s.file, s.shape)));
  const b = manifest.batch;
  const f32 = (file: string) => Float32Array.from(arr(file).values);
  const batch: Batch = {
    size: b.size,
    dim: b.dim,
    states: f32(b.states),
    partial: f32(b.partial),
    discount: f32(b.discount),
    indices: Int32Array.from(arr(b.indices).values),
    ...(b.nextStates ? { nextStates: f32(b.nextStates) } : {}),
    ...(b.actions ? { actions: f32(b.actions), actionDim: b.actionDim } : {}),
    ...(b.nextActions ? { nextActions: f32(b.nextActions) } : {}),
  };
  return { manifest, config, state: { params, slots, iteration: manifest.iteration }, batch };
}

/** Initial parameters from a folder of .npy files named by `fileName` (network.initFrom). */
export function loadInitialParams(dir: string, names: string[], shapes: number[][]): tf.Tensor[] {
  return names.map((name, i) => {
    const f = path.join(dir, fileName(name));
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(f);
    } catch {
      throw new DataError(`network.initFrom: no file for parameter ${name} (expected ${fileName(name)})`, { file: f });
    }
    const a = readNpy(bytes, { file: f });
    if (a.shape.join(',') !== shapes[i]!.join(','))
      throw new DataError(`network.initFrom: ${name} has shape (${a.shape.join(', ')}), the network needs (${shapes[i]!.join(', ')})`, {
        file: f,
      });
    if (a.values.some((v) => !Number.isFinite(v))) throw new DataError(`network.initFrom: ${name} holds NaN/Inf`, { file: f });
    return tf.tensor(Float32Array.from(a.values), shapes[i]!);
  });
}
