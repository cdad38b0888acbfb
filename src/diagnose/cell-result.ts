import { z } from 'zod';
import { Float } from '../util/float-schema.js';
import { CauseSchema } from '../watch/cause.js';
import { EventKindSchema, FirstEventsSchema } from '../watch/events.js';
import { RobustnessSchema } from './robustness.js';
import { RunStatusSchema } from './run-status.js';

/** What a comparison keeps of one run (the full run report would repeat the history N times). */
export const CellResultSchema = z.object({
  index: z.int(),
  /** The config variant it ran: an activation (compare-activations), a remedy, baseline or reference (treat), run (--replicas). */
  variant: z.string(),
  seed: z.int(),
  /** Replica r > 0 of the variant at this seed (run --replicas spread over threads). */
  replica: z.int().optional(),
  worst: EventKindSchema.nullable(),
  firstEvents: FirstEventsSchema,
  stepsRequested: z.int(),
  stepsRun: z.int(),
  /** Largest max |activation| over the run's history, any layer. */
  maxAbsActivation: Float,
  finalLoss: Float,
  /** Mean over the compared layers at the last step (null when the activation has no such notion). */
  deadFraction: Float.nullable(),
  saturatedFraction: Float.nullable(),
  /** A thinned history for charts: step, loss, max |activation| and max gradient norm over layers. */
  series: z.array(z.object({ step: z.int(), loss: Float, maxAbsActivation: Float, maxGradNorm: Float })),
  seconds: Float,
  backend: z.string(),
  /** The run's findings (silent failures), in brief. */
  findings: z
    .array(z.object({ rule: z.string(), label: z.string(), cause: CauseSchema, layer: z.string().nullable(), firstStep: z.int() }))
    .default([]),
  /** As the run's: completed, stopped (NaN, stopOnNaN), interrupted (by a signal), error. */
  status: RunStatusSchema.default('completed'),
  /** Whether the run failed under failOn (its verdict), as `run` would exit. */
  failed: z.boolean().optional(),
  /** With --replicas: whether this cell's diagnosis survives one-ulp nudges of its initial parameters. */
  robustness: RobustnessSchema.pick({ class: true, sentence: true, replicas: true }).optional(),
});
export type CellResult = z.infer<typeof CellResultSchema>;
