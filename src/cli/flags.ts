import { Command, Option } from 'commander';
import { z } from 'zod';
import { FAIL_ON } from '../config/schema.js';
import { BACKEND_CHOICES } from '../train/backend-choices.js';
import { HELP, helpAfter } from './help-texts.js';
import { intFlag, MAX_REPLICAS, parseOptions, seedListFlag } from './options.js';

/**
 * A flag, declared once: its commander spelling and help, and the zod field its parsed value must
 * fit (commander hands strings over; zod turns them into numbers, lists and choices). A command
 * picks shared flags from FLAGS, adds its own with `flag()`, and gets both its commander options
 * and its strict options schema from the same record.
 */
export interface FlagSpec<S extends z.ZodType = z.ZodType> {
  flags: string;
  help: string;
  schema: S;
  choices?: readonly string[];
  /** Shown in --help; zod's default is what applies. */
  shownDefault?: string;
  /** Also a `--no-…` form, with this help: absent, the flag is undefined; `--x` true; `--no-x` false. */
  negated?: string;
}

export function flag<S extends z.ZodType>(
  flags: string,
  help: string,
  schema: S,
  extra: Pick<FlagSpec, 'choices' | 'shownDefault' | 'negated'> = {},
): FlagSpec<S> {
  return { flags, help, schema, ...extra };
}

const file = z.string().min(1).optional();

/** The flags several commands share. */
export const FLAGS = {
  json: flag('--json <file>', 'write the full report as JSON', file),
  html: flag('--html <file>', 'write a self-contained HTML report with charts', file),
  markdown: flag('--markdown <file>', 'write a Markdown summary', file),
  junit: flag('--junit <file>', 'write JUnit XML', file),
  steps: flag('--steps <n>', "override the config's steps", intFlag(1).optional()),
  seed: flag('--seed <n>', "override the config's seed", intFlag(0).optional()),
  seeds: flag('--seeds <n>', "n seeds: the config's seed and the n − 1 after it (default 3)", intFlag(1).optional()),
  seedList: flag('--seed-list <list>', 'explicit seeds, e.g. 1,2,3', seedListFlag.optional()),
  backend: flag('--backend <name>', 'TensorFlow.js backend; auto takes the first that loads', z.enum(BACKEND_CHOICES).default('auto'), {
    choices: BACKEND_CHOICES,
    shownDefault: 'auto',
  }),
  failOn: flag('--fail-on <event>', "what makes the exit code 1 (default: the config's watch.failOn)", z.enum(FAIL_ON).optional(), {
    choices: FAIL_ON,
  }),
  replicas: flag(
    '--replicas <k>',
    'train each run with k−1 replicas nudged by one float32 ulp, and say whether its diagnosis is robust or chaotic',
    intFlag(1, MAX_REPLICAS).optional(),
  ),
  workers: flag('--workers <n>', 'parallel runs (default: one per core)', intFlag(1).optional()),
  quiet: flag('-q, --quiet', 'print only the verdict', z.boolean().default(false)),
  progress: flag('--progress', 'show progress off a terminal too (a line a second on stderr, for CI logs)', z.boolean().optional(), {
    negated: 'no progress display (by default it shows on a terminal only)',
  }),
} satisfies Record<string, FlagSpec>;

/** The report files every reporting command can write. */
export const OUTPUT_FLAGS = ['json', 'html', 'markdown', 'junit'] as const;

type Shape<F extends Record<string, FlagSpec>> = { [K in keyof F]: F[K]['schema'] };

/** The shared flags named, with their help replaced where a command words it its own way. */
export function pick<K extends keyof typeof FLAGS>(
  keys: readonly K[],
  help: Partial<Record<K, string>> = {},
): { [P in K]: (typeof FLAGS)[P] } {
  return Object.fromEntries(keys.map((k) => [k, help[k] ? { ...FLAGS[k], help: help[k] } : FLAGS[k]])) as {
    [P in K]: (typeof FLAGS)[P];
  };
}

/** The strict zod schema of a command's options, from its flags: an unknown key is an error. */
export function optionsSchema<F extends Record<string, FlagSpec>>(flags: F): z.ZodObject<Shape<F>, z.core.$strict> {
  return z.strictObject(Object.fromEntries(Object.entries(flags).map(([k, f]) => [k, f.schema])) as Shape<F>);
}

/** Adds a command's flags to it, in the record's order. */
export function addFlags(cmd: Command, flags: Record<string, FlagSpec>): Command {
  for (const f of Object.values(flags)) {
    const o = new Option(f.flags, f.help);
    if (f.choices) o.choices(f.choices);
    if (f.shownDefault !== undefined) o.default(f.shownDefault);
    cmd.addOption(o);
    if (f.negated) cmd.addOption(new Option(f.flags.replace(/--/, '--no-'), f.negated));
  }
  return cmd;
}

/** The flag a zod issue's key belongs to ("seedList" → "--seed-list"), for error messages. */
export function flagNames(flags: Record<string, FlagSpec>): Record<string, string> {
  return Object.fromEntries(Object.entries(flags).map(([k, f]) => [k, f.flags.split(/[ ,]+/).find((s) => s.startsWith('--'))!]));
}

/** Where progress shows: on a terminal by default, also off one with --progress, never with --no-progress or --quiet. */
export function progressShown(opts: { progress?: boolean; quiet: boolean }, isTTY = process.stderr.isTTY === true): boolean {
  if (opts.quiet || opts.progress === false) return false;
  return opts.progress === true || isTTY;
}

/**
 * A command from its help text (cli/help-texts.ts) and its flags, whose action gets its argument
 * and the options parsed once by `schema` (a bad flag is a usage error naming it).
 */
export function defineCommand<S extends z.ZodType>(
  name: string,
  flags: Record<string, FlagSpec>,
  schema: S,
  action: (arg: never, opts: z.output<S>) => Promise<void> | void,
): Command {
  const help = HELP[name]!;
  const cmd = addFlags(new Command(name), flags).description(help.summary).addHelpText('after', helpAfter(help));
  if (help.argument) cmd.argument(...help.argument);
  const names = flagNames(flags);
  return cmd.action((...args: unknown[]) => {
    // commander passes the positional argument (when there is one), the options, then the command.
    const raw = args[help.argument ? 1 : 0] as Record<string, unknown>;
    return action((help.argument ? args[0] : undefined) as never, parseOptions(schema, raw, names));
  });
}
