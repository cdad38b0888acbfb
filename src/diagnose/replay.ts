import { tf } from '../util/tfjs.js';
import { buildCriticSpec } from '../model/critic.js';
import { createOptimizer } from '../train/optimizers.js';
import type { FirstEvent } from '../watch/events.js';
import { firstNonFiniteRow } from '../watch/health-kernel.js';
import { firstEventIn } from '../watch/event-rules.js';
import { analyzeFirstNonFinite, watchedStep, type ExactOp } from './exact-op.js';
import { readDump, type DumpManifest } from './dump.js';

export interface ReplayResult {
  manifest: DumpManifest;
  /** The same kind of event as the dump's, found in the replayed step (null if it did not happen). */
  event: FirstEvent | null;
  /** Same step, place, count and max |x| (bit for bit) as the dump recorded. */
  reproduced: boolean;
  exactOp: ExactOp | null;
}

/** Replays a dumped step from its saved state and minibatch, deterministically, on the current backend. */
export function replayDump(dir: string): ReplayResult {
  const { manifest, config, state, batch } = readDump(dir);
  const spec = buildCriticSpec(config);
  const ctx = { spec, config, optimizer: createOptimizer(config.optimizer) };
  const want = manifest.event;
  const { stats, points } = watchedStep(ctx, state, batch);
  const e = firstEventIn(want.kind, manifest.step, points, stats, null);
  const event = e ? { ...e, previousMaxAbs: want.previousMaxAbs } : null;
  const reproduced =
    e !== null &&
    e.phase === want.phase &&
    e.layer === want.layer &&
    e.tensor === want.tensor &&
    e.count === want.count &&
    Object.is(e.maxAbs, want.maxAbs);
  const exactOp = firstNonFiniteRow(stats) >= 0 ? analyzeFirstNonFinite({ step: manifest.step, before: state, batch, stats, ctx }) : null;
  tf.dispose([...state.params, ...state.slots.flat()]);
  return { manifest, event, reproduced, exactOp };
}
