import { z } from 'zod';

/**
 * What a diagnosis can blame, in the words `treat` orders its remedies by: each lint rule and
 * each findings rule declares the cause it points at, and each remedy the causes it addresses.
 */
export const CAUSES = ['init', 'scale', 'targets', 'optimizer', 'activation', 'data', 'regularizer'] as const;
export const CauseSchema = z.enum(CAUSES);
export type Cause = z.infer<typeof CauseSchema>;
