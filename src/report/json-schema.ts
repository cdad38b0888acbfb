import { z } from 'zod';
import { ConfigSchema } from '../config/schema.js';
import { CompareReportSchema } from './compare-report.js';
import { RunReportSchema } from './run-report.js';
import { TreatReportSchema } from './treat-report.js';
import { floatJsonSchema } from '../util/float-schema.js';

type JsonSchema = Record<string, unknown>;

/** JSON Schema of the config file (what users write: fields with defaults are optional). */
export function configJsonSchema(): JsonSchema {
  return {
    title: 'critic-doctor config',
    ...(z.toJSONSchema(ConfigSchema, { io: 'input', target: 'draft-2020-12' }) as JsonSchema),
  };
}

/** JSON Schema of the JSON reports (`run`, `compare-activations` and `treat`), from the same zod types. */
export function reportJsonSchema(): JsonSchema {
  const opts = { io: 'output' as const, target: 'draft-2020-12' as const, override: floatJsonSchema, unrepresentable: 'any' as const };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'critic-doctor report',
    oneOf: [RunReportSchema, CompareReportSchema, TreatReportSchema].map((schema) => {
      const s = z.toJSONSchema(schema, opts);
      const { $schema: _drop, ...rest } = s as JsonSchema;
      return rest;
    }),
  };
}
