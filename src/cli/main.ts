import { CommanderError } from 'commander';
import { formatLocation, isKnownError } from '../config/errors.js';
import { buildProgram } from './index.js';

/**
 * Entry point: runs the program and turns every failure into a message on stderr and an exit code:
 * 2 for bad input (config, data, usage), 3 for internal errors (stack only with --debug).
 * Sets process.exitCode and lets Node exit by itself, so output streams are flushed.
 */
export async function main(argv: string[]): Promise<void> {
  // `critic-doctor ... | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const program = buildProgram();
  // Read after parsing (an error thrown by a command's action comes after its options were parsed).
  const debug = () => program.opts<{ debug?: boolean }>().debug === true;
  program.exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const c of program.commands) c.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, with code 0.
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    if (isKnownError(e)) {
      const where = formatLocation(e.location);
      const lines = [`error: ${where ? `${where}: ` : ''}${e.message}`];
      if (e.details.length > 1) lines.push(...e.details.slice(1).map((d) => `  also: ${d}`));
      process.stderr.write(`${lines.join('\n')}\n`);
      if (debug() && e.stack) process.stderr.write(`${e.stack}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    process.stderr.write(`internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (debug() && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    else process.stderr.write('(run again with --debug for the stack trace; please report it)\n');
    process.exitCode = 3;
  }
}
