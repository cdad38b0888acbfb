import { Command } from 'commander';
import { renderReplayText } from '../report/replay-text.js';
import { addFlags, flagNames, optionsSchema, pick } from './flags.js';
import { parseOptions } from './options.js';
import { terminalPalette } from './tty.js';

const REPLAY_FLAGS = pick(['backend'], {
  backend: 'TensorFlow.js backend (use the one the dump was made on for bit-for-bit results)',
});
export const ReplayOptionsSchema = optionsSchema(REPLAY_FLAGS);

/** `critic-doctor replay DIR`: reproduce a dumped failing step and explain its arithmetic. */
export function replayCommand(): Command {
  return addFlags(new Command('replay'), REPLAY_FLAGS)
    .description('replay the failing step saved by `run --dump-dir` and print the exact-op analysis (exit 0 when it reproduces)')
    .argument('<dir>', 'a dump folder written by run --dump-dir')
    .addHelpText('after', '\nExample:\n  $ critic-doctor run configs/nan-sgd-relu.yaml --dump-dir crash/ ; critic-doctor replay crash/')
    .action(async (dir: string, raw: Record<string, unknown>) => {
      const opts = parseOptions(ReplayOptionsSchema, raw, flagNames(REPLAY_FLAGS));
      const [{ replayDump }, { selectBackend }] = await Promise.all([import('../diagnose/replay.js'), import('../train/backend.js')]);
      await selectBackend(opts.backend);
      const r = replayDump(dir);
      process.stdout.write(renderReplayText(dir, r, terminalPalette()));
      process.exitCode = r.reproduced ? 0 : 1;
    });
}
