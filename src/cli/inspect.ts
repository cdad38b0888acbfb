import type { Command } from 'commander';
import { z } from 'zod';
import { renderInspectText } from '../report/inspect-text.js';
import { defineCommand, flag, optionsSchema } from './flags.js';

const INSPECT_FLAGS = { json: flag('--json', 'print what was found as JSON', z.boolean().default(false)) };
export const InspectOptionsSchema = optionsSchema(INSPECT_FLAGS);

/** `critic-doctor inspect FILE`: what a model or weights file is and holds, and the config lines to run it. */
export function inspectCommand(): Command {
  return defineCommand('inspect', INSPECT_FLAGS, InspectOptionsSchema, async (file: string, opts) => {
    // Loaded here, not at startup: reading saved models loads tfjs, which no other command's start should pay.
    const { inspectFile } = await import('../core/inspect.js');
    const r = await inspectFile(file);
    process.stdout.write(opts.json ? `${JSON.stringify(r, null, 2)}\n` : renderInspectText(r));
  });
}
