import { Command, Option } from 'commander';
import { fmt } from '../util/number-format.js';
import { z } from 'zod';
import { replayDump } from '../diagnose/replay.js';
import { describePoint } from '../watch/watch-points.js';

import { selectBackend, BACKEND_CHOICES } from '../train/backend.js';
import { parseOptions } from './options.js';
import { terminalPalette } from './tty.js';

export const ReplayOptionsSchema = z.strictObject({ backend: z.enum(BACKEND_CHOICES).default('auto'), debug: z.boolean().default(false) });

/** `critic-doctor replay DIR`: reproduce a dumped failing step and explain its arithmetic. */
export function replayCommand(): Command {
  return new Command('replay')
    .description('replay the failing step saved by `run --dump-dir` and print the exact-op analysis (exit 0 when it reproduces)')
    .argument('<dir>', 'a dump folder written by run --dump-dir')
    .addOption(
      new Option('--backend <name>', 'TensorFlow.js backend (use the one the dump was made on for bit-for-bit results)')
        .choices(BACKEND_CHOICES)
        .default('auto'),
    )
    .option('--debug', 'show stack traces of internal errors')
    .addHelpText('after', '\nExample:\n  $ critic-doctor run configs/nan-sgd-relu.yaml --dump-dir crash/ ; critic-doctor replay crash/')
    .action(async (dir: string, raw: Record<string, unknown>) => {
      const opts = parseOptions(ReplayOptionsSchema, raw);
      await selectBackend(opts.backend);
      const r = replayDump(dir);
      const p = terminalPalette();
      const want = r.manifest.event;
      const out = [
        `${p.bold('critic-doctor replay')} ${dir}: step ${r.manifest.step}, expecting the first ${want.kind} in ` +
          `${describePoint(want)} (${want.count} entries, max |x| ${fmt(want.maxAbs)})`,
      ];
      if (r.event)
        out.push(`  replayed: ${r.event.kind} in ${describePoint(r.event)} (${r.event.count} entries, max |x| ${fmt(r.event.maxAbs)})`);
      else out.push(`  replayed: no ${want.kind} in this step`);
      out.push(
        r.reproduced
          ? `${p.success('✔')} reproduced bit for bit`
          : `${p.error('✖')} NOT reproduced (another backend or version than the dump's?)`,
      );
      if (r.exactOp) out.push(`  ${r.exactOp.description}`);
      process.stdout.write(`${out.join('\n')}\n`);
      process.exitCode = r.reproduced ? 0 : 1;
    });
}
