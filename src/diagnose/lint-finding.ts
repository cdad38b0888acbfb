import { z } from 'zod';
import { CauseSchema } from '../watch/cause.js';

/** One static warning about a config, before any training. */
export const LintFindingSchema = z.object({
  rule: z.string(),
  /** What it points at, in treat's words (orders treat's remedies; warnings only). */
  cause: CauseSchema,
  severity: z.enum(['warning', 'info']),
  /** Dotted field path and the config line it sits on (when the config came from a file). */
  path: z.string(),
  line: z.int().optional(),
  message: z.string(),
  /** Why it matters. */
  why: z.string(),
  /** The remedy (by the name `treat` will use) that tests the alternative. */
  remedy: z.string(),
});
export type LintFinding = z.infer<typeof LintFindingSchema>;
