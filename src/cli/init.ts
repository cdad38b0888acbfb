import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { UsageError } from '../config/errors.js';
import { initConfigText } from '../config/init-template.js';
import { ACTIVATIONS } from '../config/schema.js';
import { defineCommand, flag, optionsSchema } from './flags.js';
import { writeOutputFile } from './write-output.js';

const INIT_FLAGS = {
  activation: flag('--activation <name>', 'activation of l3, l3_1, l3_2', z.enum(ACTIVATIONS).default('relu'), {
    choices: ACTIVATIONS,
    shownDefault: 'relu',
  }),
  out: flag('--out <file>', 'where to write it', z.string().min(1).default('critic-doctor.yaml'), { shownDefault: 'critic-doctor.yaml' }),
  force: flag('--force', 'overwrite an existing file', z.boolean().default(false)),
};
export const InitOptionsSchema = optionsSchema(INIT_FLAGS);

/** `critic-doctor init`: writes a commented config of the seed's critic. */
export function initCommand(): Command {
  return defineCommand('init', INIT_FLAGS, InitOptionsSchema, (_arg, opts) => {
    if (existsSync(opts.out) && !opts.force) throw new UsageError(`${opts.out} exists; use --force to overwrite it`, { file: opts.out });
    const schema = path
      .relative(path.dirname(path.resolve(opts.out)), path.resolve(SCHEMA_FILE))
      .split(path.sep)
      .join('/');
    writeOutputFile(opts.out, initConfigText(opts.activation, existsSync(SCHEMA_FILE) ? schema : SCHEMA_URL));
    process.stderr.write(`wrote ${opts.out} (${opts.activation}); run it with: critic-doctor run ${opts.out}\n`);
  });
}

/** The committed config schema (node_modules/critic-doctor/schema/... once installed). */
const SCHEMA_FILE = path.join(path.dirname(new URL(import.meta.url).pathname), '../../schema/config.schema.json');
const SCHEMA_URL = 'node_modules/critic-doctor/schema/config.schema.json';
