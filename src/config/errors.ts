/** Where in an input file a problem sits; every known error carries as much of this as it has. */
export interface SourceLocation {
  file?: string;
  line?: number;
  column?: number;
  /** Dotted field path (`network.layers[1].units`) or a data location (`row 12, column obs_3`). */
  path?: string;
}

/** Base of every error the CLI reports as bad input (exit 2) with one clear message. */
export abstract class KnownError extends Error {
  abstract readonly kind: 'config' | 'data' | 'usage';
  readonly exitCode = 2;
  constructor(
    message: string,
    readonly location: SourceLocation = {},
    /** Further messages when one input has several problems (every zod issue, say). */
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

export class ConfigError extends KnownError {
  readonly kind = 'config' as const;
  override readonly name = 'ConfigError';
}

export class DataError extends KnownError {
  readonly kind = 'data' as const;
  override readonly name = 'DataError';
}

export class UsageError extends KnownError {
  readonly kind = 'usage' as const;
  override readonly name = 'UsageError';
}

/** True for errors that are the user's input, not a bug: the CLI prints them without a stack. */
export function isKnownError(e: unknown): e is KnownError {
  return e instanceof KnownError;
}

/** `file:line:column` prefix (as editors and CI annotations read it), or '' when nothing is known. */
export function formatLocation(loc: SourceLocation): string {
  if (!loc.file) return '';
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.line !== undefined && loc.column !== undefined) s += `:${loc.column}`;
  return s;
}

/** A known error as plain data, to post from a worker thread (structured clone keeps no class). */
export interface PostedError {
  kind: KnownError['kind'] | null;
  message: string;
  location?: SourceLocation;
  details?: string[];
}

export function postedError(e: unknown): PostedError {
  const known = isKnownError(e) ? e : null;
  const message = e instanceof Error ? e.message : String(e);
  return { kind: known?.kind ?? null, message, location: known?.location, details: known?.details };
}

/**
 * The error a worker posted, as its class again, at `where` unless it says where itself; one of no
 * known kind stays a plain Error (an internal one).
 */
export function fromPosted(p: PostedError, where: SourceLocation = {}): Error {
  const location = p.location ?? where;
  if (p.kind === 'config') return new ConfigError(p.message, location, p.details);
  if (p.kind === 'data') return new DataError(p.message, location, p.details);
  if (p.kind === 'usage') return new UsageError(p.message, location, p.details);
  return new Error(p.message);
}
