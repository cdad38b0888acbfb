import { Command } from 'commander';
import { TOOL_VERSION } from '../version.js';
import { compareActivationsCommand } from './compare-activations.js';
import { initCommand } from './init.js';
import { inspectCommand } from './inspect.js';
import { lintCommand } from './lint.js';
import { mergeCommand } from './merge.js';
import { renderCommand } from './render.js';
import { replayCommand } from './replay.js';
import { treatCommand } from './treat.js';
import { reportSchemaCommand, schemaCommand } from './schema.js';
import { runCommand } from './run.js';

/** The command-line program: one file per command, wired here. */
export function buildProgram(): Command {
  const program = new Command('critic-doctor')
    .description("find when, where and why a critic's output turns NaN or explodes (relu/elu vs tanh), and what cures it")
    .version(TOOL_VERSION, '-V, --version')
    // One flag for every command: declared here, read by main.ts from the parsed options.
    .option('--debug', 'show stack traces of internal errors and bad-input errors')
    .configureHelp({ showGlobalOptions: true })
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run critic-doctor --help for usage)')
    .addCommand(runCommand())
    .addCommand(compareActivationsCommand())
    .addCommand(mergeCommand())
    .addCommand(treatCommand())
    .addCommand(lintCommand())
    .addCommand(inspectCommand())
    .addCommand(replayCommand())
    .addCommand(renderCommand())
    .addCommand(initCommand())
    .addCommand(schemaCommand())
    .addCommand(reportSchemaCommand())
    .addHelpText('after', '\nExample:\n  $ critic-doctor run configs/seed-critic-relu.yaml --json report.json');
  // Each command's --help lists --debug too (added commands do not inherit help settings).
  for (const c of program.commands) c.configureHelp({ showGlobalOptions: true });
  return program;
}
