import { z } from 'zod';
import { Float } from '../util/float-schema.js';

// The exact-op finding's schema apart from its analysis (exact-op.ts replays steps, so it loads
// tfjs): a report's schema, and a command that only reads or renders reports, need none.
const OpInputSchema = z.object({
  /** The input by name when it is a parameter, an optimizer slot or part of the minibatch. */
  name: z.string().nullable(),
  shape: z.array(z.int()),
  /** The input's value where the bad output came from (elementwise ops), else null. */
  value: Float.nullable(),
  maxAbs: Float,
  nonFinite: z.int(),
});

/** The first elementary operation of a step whose output was not finite, and why. */
export const ExactOpSchema = z.object({
  step: z.int(),
  /** Whether replaying the step from the saved state reproduced the live step's statistics bit for bit. */
  reproduced: z.boolean(),
  /** The first watched tensor that went non-finite in that step ("l3_1, forward, x·V"). */
  watchPoint: z.string().nullable(),
  /** The tfjs kernel (Multiply, RealDiv, BatchMatMul, Sum, ...), or "minibatch" for bad data. */
  kernel: z.string(),
  produced: z.enum(['NaN', 'Inf']),
  /** The arithmetic, e.g. "Inf × 0 = NaN", "1 / 0 = Inf", "the sum of 32 products overflowed". */
  arithmetic: z.string(),
  inputs: z.array(OpInputSchema),
  /** When the first NaN came from a later op than the first Inf: that op too ("Inf × 5 / Inf" in clipping). */
  nanOp: z.object({ kernel: z.string(), arithmetic: z.string(), inputs: z.array(OpInputSchema) }).nullable(),
  /** One sentence. */
  description: z.string(),
});
export type ExactOp = z.infer<typeof ExactOpSchema>;
