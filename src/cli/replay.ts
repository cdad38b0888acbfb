import type { Command } from 'commander';
import { renderReplayText } from '../report/replay-text.js';
import { defineCommand, optionsSchema, pick } from './flags.js';
import { terminalPalette } from './tty.js';

const REPLAY_FLAGS = pick(['backend'], {
  backend: 'TensorFlow.js backend (use the one the dump was made on for bit-for-bit results)',
});
export const ReplayOptionsSchema = optionsSchema(REPLAY_FLAGS);

/** `critic-doctor replay DIR`: reproduce a dumped failing step and explain its arithmetic. */
export function replayCommand(): Command {
  return defineCommand('replay', REPLAY_FLAGS, ReplayOptionsSchema, async (dir: string, opts) => {
    const [{ replayDump }, { selectBackend }] = await Promise.all([import('../diagnose/replay.js'), import('../train/backend.js')]);
    await selectBackend(opts.backend);
    const r = replayDump(dir);
    process.stdout.write(renderReplayText(dir, r, terminalPalette()));
    process.exitCode = r.reproduced ? 0 : 1;
  });
}
