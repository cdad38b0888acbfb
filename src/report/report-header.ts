import { z } from 'zod';
import { ConfigSchema, type Config } from '../config/schema.js';
import { TOOL_VERSION } from '../version.js';

/**
 * Bumped whenever a field changes meaning or goes away (adding fields does not bump it). 2: a
 * comparison's or treatment's cells name their `variant` (no `activation`); findings carry `label` and `cause`.
 * 3: what was not measured is null, not a made-up number — a layer's `gradNorm` and `normV` without
 * parameters, `maxAbsTarget` without a watched target, the causal chain's `targets` (then no
 * line) and a growth's `per100` over fewer than 20 steps.
 * 4: a watchModel run report has no `configFile` and no `config` (it read none and built nothing):
 * `model` says what it found instead.
 */
export const REPORT_SCHEMA_VERSION = 4;

export const ToolSchema = z.object({ name: z.string(), version: z.string() });

/** The report kinds: one per command that trains. */
export type ReportCommand = 'run' | 'compare-activations' | 'treat';

/**
 * The fields every report starts with, whichever command wrote it: the schema version, the
 * command, the tool and its version, the config file, the sha256 of the resolved config, and the
 * resolved config itself (defaults filled in, command-line overrides applied).
 */
export function reportHeaderSchema<C extends ReportCommand>(command: C) {
  return z.object({
    schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
    command: z.literal(command),
    tool: ToolSchema,
    configFile: z.string(),
    /** sha256 of the resolved config (absent for a watchModel report: no config file was read). */
    configHash: z.string().optional(),
    config: ConfigSchema,
  });
}

/** The header of a report of `command` on `config` (from `file`, whose resolved config hashes to `hash`). */
export function reportHeader<C extends ReportCommand>(command: C, source: { file: string; hash: string }, config: Config) {
  return {
    ...toolHeader(command),
    configFile: source.file,
    configHash: source.hash,
    config,
  } as const;
}

/** The part of a header that needs no config: what a watchModel report, which read none, starts with. */
export function toolHeader<C extends ReportCommand>(command: C) {
  return { schemaVersion: REPORT_SCHEMA_VERSION, command, tool: { name: 'critic-doctor', version: TOOL_VERSION } } as const;
}
