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

/** A seed as a flag gives it: a whole number that fits a seed. */
const seedValue = z
  .string()
  .regex(/^\d+$/, 'is not a seed (a whole number ≥ 0)')
  .transform(Number)
  .pipe(z.int().max(2 ** 31 - 1, 'is not a seed (at most 2³¹ − 1)'));

/** `--seed-list 1,2,3`: seeds, none repeated. */
export const seedListFlag = listFlag.pipe(z.array(seedValue)).refine((xs) => new Set(xs).size === xs.length, 'a seed is repeated');

/** What is wrong with a list of names, if anything: 'unknown activation "rleu"; valid: relu, ...'. */
export function unknownName(given: readonly string[], valid: readonly string[], what: string): string | undefined {
  const bad = given.find((x) => !valid.includes(x));
  return bad === undefined ? undefined : `unknown ${what} "${bad}"; valid: ${valid.join(', ')}`;
}

/** A list flag whose entries must be among `valid`. */
export const namesFlag = (valid: readonly string[], what: string) =>
  listFlag.check((ctx) => {
    const message = unknownName(ctx.value, valid, what);
    if (message) ctx.issues.push({ code: 'custom', input: ctx.value, message });
  });

/** The options a multi-run command takes its seeds from; the schema has already refused both at once. */
export function resolveSeeds(opts: { seeds?: number; seedList?: number[] }, configSeed: number): number[] {
  return opts.seedList ?? Array.from({ length: opts.seeds ?? 3 }, (_, i) => configSeed + i);
}

/** `--seeds` and `--seed-list` exclude each other (a refinement for the commands that take both). */
export function oneSeedSource(o: { seeds?: number; seedList?: number[] }, ctx: z.RefinementCtx): void {
  if (o.seeds !== undefined && o.seedList)
    ctx.addIssue({ code: 'custom', path: ['seeds'], message: 'give --seeds or --seed-list, not both' });
}
