import { z } from 'zod';
import { FailOn } from '../config/schema.js';
import { CellResultSchema } from '../diagnose/cell-result.js';
import { RemedyRowSchema } from '../diagnose/remedy-outcome.js';
import { Float } from '../util/float-schema.js';
import { CauseSchema } from '../watch/cause.js';
import { reportHeaderSchema } from './report-header.js';

/** Everything `critic-doctor treat` found, as plain data: the baseline, a row per remedy, the runs behind them. */
export const TreatReportSchema = reportHeaderSchema('treat').extend({
  failOn: FailOn,
  seeds: z.array(z.int()),
  baseline: z.object({ failed: z.int(), runs: z.int(), failStep: Float.nullable(), steps: z.int() }),
  /** Steps each remedy ran: at least twice the baseline's failure step, so a delay is not taken for a cure. */
  remedySteps: z.int(),
  /** What the remedies had to cure: events (under failOn), or also these findings of the baseline (`--target finding`). */
  target: z.enum(['event', 'finding']).default('event'),
  targetFindings: z.array(z.string()).default([]),
  /** Diagnosed causes (from lint and the baseline's failures) the ordering follows. */
  causes: z.array(CauseSchema),
  reference: z.object({ name: z.string(), finalLoss: Float.nullable() }).nullable(),
  rows: z.array(RemedyRowSchema),
  cells: z.array(CellResultSchema),
  best: z.string().nullable(),
  verdict: z.string(),
  timing: z.object({ wallSeconds: Float }),
  /** interrupted: a signal stopped it; the table covers the runs that finished (no cure is recommended). */
  status: z.enum(['completed', 'interrupted']).default('completed'),
});
export type TreatReport = z.infer<typeof TreatReportSchema>;
