import { readFileSync } from 'node:fs';
import { DataError } from '../config/errors.js';
import { CompareReportSchema } from './compare-report.js';
import { fromJson } from './json.js';
import { RunReportSchema } from './run-report.js';
import { TreatReportSchema } from './treat-report.js';
import type { AnyReport } from './index.js';
import { REPORT_SCHEMA_VERSION } from './report-header.js';

/** Reads and checks a saved JSON report against the report schema. */
export function readReport(file: string): AnyReport {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DataError(`cannot read report: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, {
      file,
    });
  }
  return parseReport(text, file);
}

/**
 * A JSON report's text as the report it is: NaN and ±Infinity restored (JSON writes them as
 * strings), the command's schema and its schemaVersion checked. `file` names it in errors.
 */
export function parseReport(text: string, file = '<json>'): AnyReport {
  let value: unknown;
  try {
    value = fromJson(text);
  } catch (e) {
    throw new DataError(`not JSON: ${(e as Error).message}`, { file });
  }
  const command = (value as { command?: unknown } | null)?.command;
  const schemas = { run: RunReportSchema, 'compare-activations': CompareReportSchema, treat: TreatReportSchema } as const;
  const schema = typeof command === 'string' && Object.hasOwn(schemas, command) ? schemas[command as keyof typeof schemas] : null;
  if (!schema)
    throw new DataError('not a critic-doctor JSON report (expected "command": "run", "compare-activations" or "treat")', { file });
  const version = (value as { schemaVersion?: unknown }).schemaVersion;
  if (version !== REPORT_SCHEMA_VERSION)
    throw new DataError(
      `report schemaVersion ${JSON.stringify(version)}: this critic-doctor reads schemaVersion ${REPORT_SCHEMA_VERSION} ` +
        '(re-run the command that wrote it)',
      { file, path: 'schemaVersion' },
    );
  const r = schema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new DataError(`not a valid report (schemaVersion ${REPORT_SCHEMA_VERSION}): ${i.path.join('.')}: ${i.message}`, {
      file,
      path: i.path.join('.'),
    });
  }
  return r.data as AnyReport;
}
