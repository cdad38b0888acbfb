import { z } from 'zod';
import { UsageError } from '../config/errors.js';

/** Parses a command's options with its zod schema; the first problem becomes a UsageError naming the flag. */
export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown, flags: Record<string, string> = {}): z.output<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const key = String(issue.path[0] ?? '');
  const flag = flags[key] ?? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  throw new UsageError(`${flag}: ${issue.message}`, { path: flag });
}

/** A positive integer flag value ("2000" → 2000), as commander hands strings over. */
export const intFlag = (min: number, max = 100_000_000) =>
  z.string().regex(/^\d+$/, 'expected a whole number').transform(Number).pipe(z.int().min(min).max(max));

/** The most replicas one `--replicas` asks for: each is a whole run held in memory and trained alongside. */
export const MAX_REPLICAS = 64;

/** A comma-separated flag value ("relu, elu" → ["relu", "elu"]). */
export const listFlag = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

/**
 * The seeds of a multi-run command: `--seed-list` as given, or `--seeds n` counting up from the
 * config's seed (3 by default). Each must be a whole number that fits a seed, none repeated.
 */
export function resolveSeeds(opts: { seeds?: number; seedList?: string[] }, configSeed: number): number[] {
  if (opts.seeds !== undefined && opts.seedList)
    throw new UsageError('--seeds and --seed-list: give one or the other', { path: '--seeds' });
  const seeds = opts.seedList
    ? opts.seedList.map((s) => {
        if (!/^\d+$/.test(s) || Number(s) > 2 ** 31 - 1)
          throw new UsageError(`--seed-list: "${s}" is not a seed (a whole number ≥ 0)`, { path: '--seed-list' });
        return Number(s);
      })
    : Array.from({ length: opts.seeds ?? 3 }, (_, i) => configSeed + i);
  if (new Set(seeds).size !== seeds.length) throw new UsageError('--seed-list: a seed is repeated', { path: '--seed-list' });
  return seeds;
}
