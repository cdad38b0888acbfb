import type { Command } from 'commander';
import { z } from 'zod';
import { inspectFile } from '../core/inspect.js';
import { renderInspectText } from '../report/inspect-text.js';
import { defineCommand, flag, optionsSchema } from './flags.js';

const INSPECT_FLAGS = { json: flag('--json', 'print what was found as JSON', z.boolean().default(false)) };
export const InspectOptionsSchema = optionsSchema(INSPECT_FLAGS);

/** `critic-doctor inspect FILE`: what a model or weights file is and holds, and the config lines to run it. */
export function inspectCommand(): Command {
  return defineCommand('inspect', INSPECT_FLAGS, InspectOptionsSchema, async (file: string, opts) => {
    const r = await inspectFile(file);
    process.stdout.write(opts.json ? `${JSON.stringify(r, null, 2)}\n` : renderInspectText(r));
  });
}
