import type { Command } from 'commander';
import { configJsonSchema, reportJsonSchema } from '../report/json-schema.js';
import { defineCommand } from './flags.js';
import { optionsSchema } from './flags.js';

const NO_FLAGS = {};
const NoOptions = optionsSchema(NO_FLAGS);

/** A command that prints a JSON Schema made from the zod types the code uses. */
const printing = (name: string, schema: () => Record<string, unknown>): Command =>
  defineCommand(name, NO_FLAGS, NoOptions, () => {
    process.stdout.write(`${JSON.stringify(schema(), null, 2)}\n`);
  });

/** `critic-doctor schema`: the config file's JSON Schema, from the zod schema. */
export const schemaCommand = (): Command => printing('schema', configJsonSchema);

/** `critic-doctor report-schema`: the JSON reports' JSON Schema, from the same zod types. */
export const reportSchemaCommand = (): Command => printing('report-schema', reportJsonSchema);
