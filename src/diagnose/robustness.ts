import { z } from 'zod';
import { EVENT_KINDS, EventKindSchema, type EventKind, type FirstEvents } from '../watch/events.js';
import { PHASES } from '../watch/watch-points.js';

/** How replicas are perturbed: documented in the report so a reader knows what "robust" was tested against. */
export const REPLICA_PERTURBATION =
  'replica 0 is the config’s own run; replica r > 0 nudges every initial parameter by one float32 ulp, up or down by a ' +
  'sign drawn from a generator seeded with (seed, r); data and minibatches are the same';

const LocationSchema = z.object({ layer: z.string().nullable(), phase: z.enum(PHASES), tensor: z.string() });

/** One replica's outcome: its worst first event (null when healthy) and where. */
export const ReplicaOutcomeSchema = z.object({
  replica: z.int(),
  worst: EventKindSchema.nullable(),
  step: z.int().nullable(),
  location: LocationSchema.nullable(),
  stepsRun: z.int(),
});
export type ReplicaOutcome = z.infer<typeof ReplicaOutcomeSchema>;

/**
 * Whether a diagnosis survives float32-rounding-level perturbations. `robust`: every replica ends
 * the same way (the same worst event at the same layer/phase/tensor within a step or two, or all
 * healthy); `spread`: the same event at the same place, but its step moves; `chaotic`: replicas
 * disagree on what happens at all — the step is then a property of the rounding, not the config.
 */
export const RobustnessSchema = z.object({
  replicas: z.int(),
  perturbation: z.string(),
  class: z.enum(['robust', 'spread', 'chaotic']),
  sentence: z.string(),
  /** Per event kind: how many replicas reached it, the spread of its first step, whether its place agrees. */
  kinds: z.array(
    z.object({
      kind: EventKindSchema,
      reached: z.int(),
      minStep: z.int().nullable(),
      maxStep: z.int().nullable(),
      steps: z.array(z.int().nullable()),
      sameLocation: z.boolean(),
      location: LocationSchema.nullable(),
    }),
  ),
  outcomes: z.array(ReplicaOutcomeSchema),
});
export type Robustness = z.infer<typeof RobustnessSchema>;

/** The worst first event of a run (NaN over Inf over explosion) as an outcome. */
export function replicaOutcome(replica: number, first: FirstEvents, worst: EventKind | null, stepsRun: number): ReplicaOutcome {
  const e = worst ? first[worst] : null;
  return {
    replica,
    worst: e ? worst : null,
    step: e?.step ?? null,
    location: e ? { layer: e.layer, phase: e.phase, tensor: e.tensor } : null,
    stepsRun,
  };
}

/** Steps this close (absolute, or relative to the step) count as "the same step" across replicas. */
function sameStep(min: number, max: number): boolean {
  return max - min <= Math.max(2, Math.round(0.01 * min));
}

const where = (l: z.infer<typeof LocationSchema>) => `${l.layer ?? 'whole critic'}, ${l.phase}, ${l.tensor}`;
const NAMES: Record<EventKind, string> = { nan: 'NaN', inf: 'Inf', explosion: 'explosion' };

/**
 * Summarises replicas' first events. `firsts[r]` are replica r's first events (all kinds), used
 * for the per-kind table; the class and sentence follow each replica's worst event.
 */
export function summarizeRobustness(outcomes: ReplicaOutcome[], firsts: FirstEvents[]): Robustness {
  const K = outcomes.length;
  const kinds = EVENT_KINDS.map((kind) => {
    const evs = firsts.map((f) => f[kind]);
    const hit = evs.filter((e) => e !== null);
    const steps = hit.map((e) => e.step);
    const loc0 = hit[0] ? { layer: hit[0].layer, phase: hit[0].phase, tensor: hit[0].tensor } : null;
    const sameLocation = hit.every((e) => e.layer === loc0?.layer && e.phase === loc0.phase && e.tensor === loc0.tensor);
    return {
      kind,
      reached: hit.length,
      minStep: steps.length ? Math.min(...steps) : null,
      maxStep: steps.length ? Math.max(...steps) : null,
      steps: evs.map((e) => e?.step ?? null),
      sameLocation,
      location: sameLocation ? loc0 : null,
    };
  });
  const worsts = new Set(outcomes.map((o) => o.worst));
  const base = outcomes[0]!;
  const steps = outcomes.map((o) => o.step).filter((s): s is number => s !== null);
  const [lo, hi] = [Math.min(...steps), Math.max(...steps)];
  const range = lo === hi ? `step ${lo}` : `steps ${lo}–${hi}`;
  let cls: Robustness['class'];
  let sentence: string;
  if (worsts.size === 1 && base.worst === null) {
    cls = 'robust';
    sentence = `robust: ${K}/${K} replicas healthy`;
  } else if (worsts.size === 1) {
    const sameLoc = outcomes.every((o) => o.location && base.location && where(o.location) === where(base.location));
    const name = NAMES[base.worst!];
    if (sameLoc && sameStep(lo, hi)) {
      cls = 'robust';
      sentence = `robust: ${K}/${K} ${name} at ${range} (${where(base.location!)})`;
    } else {
      cls = 'spread';
      sentence = sameLoc
        ? `robust in kind and place, not in step: ${name} in ${K}/${K} replicas (${where(base.location!)}) between steps ${lo} and ${hi}`
        : `robust in kind, not in place: ${name} in ${K}/${K} replicas between steps ${lo} and ${hi}, ` +
          `at ${new Set(outcomes.map((o) => where(o.location!))).size} different tensors`;
    }
  } else {
    cls = 'chaotic';
    const parts = [...worsts]
      .map((w) => {
        const of = outcomes.filter((o) => o.worst === w);
        if (w === null) return `${of.length}/${K} healthy`;
        const s = of.map((o) => o.step!);
        const a = Math.min(...s);
        const b = Math.max(...s);
        return `${NAMES[w]} in ${of.length}/${K} replicas ${a === b ? `at step ${a}` : `between steps ${a} and ${b}`}`;
      })
      .sort();
    sentence = `chaotic: ${parts.join(', ')}: the step is not a property of this config`;
  }
  return { replicas: K, perturbation: REPLICA_PERTURBATION, class: cls, sentence, kinds, outcomes };
}

/** The per-replica line: each replica's worst first event and its step, or "healthy". */
export function replicaLine(r: Robustness): string {
  return r.outcomes.map((o) => `${o.replica}: ${o.worst ? `${NAMES[o.worst]} at ${o.step}` : `healthy (${o.stepsRun} steps)`}`).join(' · ');
}
