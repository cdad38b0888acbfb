import type { Command } from 'commander';
import { z } from 'zod';
import { UsageError } from '../config/errors.js';
import { ACTIVATIONS, type ActivationNameT } from '../config/schema.js';
import { defaultCompareLayers } from '../diagnose/activation-variant.js';
import { loadConfig } from '../model/load-config-with-model.js';
import { renderCompareTerminal } from '../report/compare-terminal.js';
import { terminalWidth } from '../report/fit.js';
import { defineCommand, flag, optionsSchema, OUTPUT_FLAGS, pick } from './flags.js';
import { listFlag, namesFlag, oneSeedSource, resolveSeeds, unknownName } from './options.js';
import { emitOutputs } from './outputs.js';
import { runMultiRun } from './progress.js';
import { signalExitCode } from './signals.js';
import { terminalPalette } from './tty.js';

const COMPARE_FLAGS = {
  activations: flag(
    '--activations <list>',
    `comma-separated, of: ${ACTIVATIONS.join(', ')}`,
    namesFlag(ACTIVATIONS, 'activation').optional(),
    {
      shownDefault: 'relu,elu,tanh',
    },
  ),
  layers: flag('--layers <list>', 'layers whose activation is replaced (default: every layer with a nonlinearity)', listFlag.optional()),
  ...pick(['seeds', 'seedList', 'steps']),
  ...pick(OUTPUT_FLAGS, {
    json: 'write the comparison as JSON (what merge reads)',
    junit: 'write JUnit XML: one test case per activation × seed',
  }),
  ...pick(['failOn'], { failOn: 'exit 1 when any run reaches this (nan ⊂ inf ⊂ explosion)' }),
  expectHealthy: flag(
    '--expect-healthy <list>',
    "exit 1 only when one of these activations fails (at --fail-on, else the config's watch.failOn)",
    listFlag.optional(),
  ),
  shard: flag(
    '--shard <i/n>',
    'run only the i-th of n slices of the grid (merge the JSON reports afterwards)',
    z
      .string()
      .regex(/^\d+\/\d+$/, 'expected i/n, e.g. 1/2')
      .transform((x) => {
        const [index, count] = x.split('/').map(Number) as [number, number];
        return { index, count };
      })
      .refine((x) => x.count >= 1 && x.index >= 1 && x.index <= x.count, 'expected 1 ≤ i ≤ n')
      .optional(),
  ),
  ...pick(['replicas', 'workers', 'backend', 'quiet', 'progress']),
};
const DEFAULT_ACTIVATIONS: ActivationNameT[] = ['relu', 'elu', 'tanh'];
/** Everything about the flags that needs no config, checked here: names, the shard, one source of seeds, expect-healthy ⊆ activations. */
export const CompareOptionsSchema = optionsSchema(COMPARE_FLAGS).superRefine((o, ctx) => {
  oneSeedSource(o, ctx);
  const activations: readonly string[] = o.activations ?? DEFAULT_ACTIVATIONS;
  const stray = o.expectHealthy?.find((a) => !activations.includes(a));
  if (stray !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['expectHealthy'],
      message: `unknown activation (not among --activations) "${stray}"; valid: ${activations.join(', ')}`,
    });
});

/** `critic-doctor compare-activations CONFIG`: the same critic with relu, elu, tanh, ... side by side. */
export function compareActivationsCommand(): Command {
  return defineCommand('compare-activations', COMPARE_FLAGS, CompareOptionsSchema, async (configPath: string, opts) => {
    const loaded = await loadConfig(configPath);
    const config = loaded.config;
    const layers = opts.layers ?? defaultCompareLayers(config);
    // Only the layers need the config: each must be one of its layers.
    const badLayer = unknownName(
      layers,
      config.network.layers.map((l) => l.name),
      'layer',
    );
    if (badLayer) throw new UsageError(`--layers: ${badLayer}`, { path: '--layers' });
    if (layers.length === 0)
      throw new UsageError('--layers: the config has no layer with a nonlinearity; name the layers to compare', { path: '--layers' });
    const seeds = resolveSeeds(opts, config.seed);
    const { compareActivations } = await import('../core/compare.js');
    const { value: report, received } = await runMultiRun(opts, (common) =>
      compareActivations({
        loaded,
        activations: (opts.activations ?? DEFAULT_ACTIVATIONS) as ActivationNameT[],
        layers,
        seeds,
        steps: opts.steps,
        failOn: opts.failOn,
        expectHealthy: (opts.expectHealthy ?? []) as ActivationNameT[],
        shard: opts.shard,
        ...common,
      }),
    );
    emitOutputs(report, opts);
    process.stdout.write(renderCompareTerminal(report, { palette: terminalPalette(), quiet: opts.quiet, width: terminalWidth() }));
    process.exitCode = received ? signalExitCode(received) : report.verdict.failed ? 1 : 0;
  });
}
