import { z } from 'zod';
import { Float } from '../util/float-schema.js';
import { PHASES } from './watch-points.js';

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
});
export type FirstEvent = z.infer<typeof FirstEventSchema>;

export const FirstEventsSchema = z.object({
  nan: FirstEventSchema.nullable(),
  inf: FirstEventSchema.nullable(),
  explosion: FirstEventSchema.nullable(),
});
export type FirstEvents = z.infer<typeof FirstEventsSchema>;
