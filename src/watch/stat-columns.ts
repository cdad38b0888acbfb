// The columns of a health-statistics row (health-kernel.ts), apart from the kernels that compute
// them: what reads a row — the early warning, a report's schema — needs no tfjs.
export const STAT_COLUMNS = ['nan', 'inf', 'maxAbs', 'sumSq', 'dead', 'saturated', 'over'] as const;
export const NUM_STATS = STAT_COLUMNS.length;
export const S_NAN = 0;
export const S_INF = 1;
export const S_MAXABS = 2;
export const S_SUMSQ = 3;
export const S_DEAD = 4;
export const S_SAT = 5;
/** Entries with |x| above the explosion threshold. */
export const S_OVER = 6;
