import { z } from 'zod';

/** How a run ended: every step, stopped early (NaN, stopOnNaN), interrupted by a signal, or an engine error. */
export const RunStatusSchema = z.enum(['completed', 'stopped', 'interrupted', 'error']);
