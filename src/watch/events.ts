import { z } from 'zod';
import { Float } from '../util/float-schema.js';
import { fmt } from '../util/number-format.js';
import { describePoint, PHASES } from './watch-points.js';

export const EVENT_KINDS = ['nan', 'inf', 'explosion'] as const;
export const EventKindSchema = z.enum(EVENT_KINDS);
export type EventKind = z.infer<typeof EventKindSchema>;

/** The first time a kind of trouble showed up, and exactly where. Plain data (goes into reports). */
export const FirstEventSchema = z.object({
  kind: EventKindSchema,
  step: z.int(),
  phase: z.enum(PHASES),
  /** Layer name, or null for tensors of the whole critic (target, loss, global norm). */
  layer: z.string().nullable(),
  tensor: z.string(),
  param: z.string().optional(),
  /** Entries of the tensor that were NaN, Inf, or above the explosion threshold (Infs included). */
  count: Float,
  size: z.int(),
  /** max |x| over the tensor's finite entries at this step. */
  maxAbs: Float,
  /** The same tensor's max |x| on the step before (null at step 0). */
  previousMaxAbs: Float.nullable(),
  /** For an input: its first bad entry — the batch row, the column (flattened per row) and the value. */
  at: z.object({ row: z.int(), column: z.int(), value: Float }).optional(),
});
export type FirstEvent = z.infer<typeof FirstEventSchema>;

export const FirstEventsSchema = z.object({
  nan: FirstEventSchema.nullable(),
  inf: FirstEventSchema.nullable(),
  explosion: FirstEventSchema.nullable(),
});
export type FirstEvents = z.infer<typeof FirstEventsSchema>;

/** Where an event is: "l3_1, forward, x·V", or for an input its name and first bad entry ("input obs, row 7, column 2: 1e38"). */
export function describeEvent(e: FirstEvent): string {
  if (e.phase !== 'input') return describePoint(e);
  return `input ${e.tensor}${e.at ? `, row ${e.at.row}, column ${e.at.column}: ${fmt(e.at.value)}` : ''}`;
}
