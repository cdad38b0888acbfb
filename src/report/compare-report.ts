import { z } from 'zod';
import { ActivationName, FailOn } from '../config/schema.js';
import { CellResultSchema } from '../diagnose/cell-result.js';
import { ActivationRowSchema, CompareVerdictSchema } from '../diagnose/compare-summary.js';
import { Float } from '../util/float-schema.js';
import { reportHeaderSchema } from './report-header.js';

/**
 * Everything a comparison (or one shard of it) found, as plain data. Its `config` is the one the
 * variants start from (steps override applied; activations and seeds vary).
 */
export const CompareReportSchema = reportHeaderSchema('compare-activations').extend({
  activations: z.array(ActivationName),
  layers: z.array(z.string()),
  seeds: z.array(z.int()),
  /** Absent for a whole run; shard reports carry it, and `merge` checks them against each other. */
  shard: z.object({ index: z.int(), count: z.int() }).optional(),
  failOn: FailOn.optional(),
  expectHealthy: z.array(ActivationName),
  cells: z.array(CellResultSchema),
  rows: z.array(ActivationRowSchema),
  verdict: CompareVerdictSchema,
  timing: z.object({ wallSeconds: Float, cellSeconds: Float, speedup: Float, workers: z.int() }),
  startedAt: z.string(),
  /** interrupted: a signal stopped it; the cells that ran (the last ones partly) are all there is. */
  status: z.enum(['completed', 'interrupted']).default('completed'),
});
export type CompareReport = z.infer<typeof CompareReportSchema>;
