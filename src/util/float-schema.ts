import { z } from 'zod';

/**
 * A float in a report: any number, NaN and ±Infinity included (they are what this tool reports;
 * zod's z.number() refuses them). JSON Schema: a number or one of the strings the JSON reporter
 * writes for them ("NaN", "Infinity", "-Infinity").
 */
export const Float = z
  .custom<number>((v) => typeof v === 'number', 'expected a number (NaN and ±Infinity allowed)')
  .meta({ 'x-critic-doctor-float': true });

/** toJSONSchema override that gives Float its JSON Schema. */
export function floatJsonSchema(ctx: { zodSchema: unknown; jsonSchema: Record<string, unknown> }): void {
  const meta = z.globalRegistry.get(ctx.zodSchema as z.ZodType) as Record<string, unknown> | undefined;
  if (!meta?.['x-critic-doctor-float']) return;
  for (const k of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[k];
  ctx.jsonSchema.anyOf = [{ type: 'number' }, { type: 'string', enum: ['NaN', 'Infinity', '-Infinity'] }];
}
