import cliProgress from 'cli-progress';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { UsageError } from '../config/errors.js';
import { loadConfig } from '../model/load-config-with-model.js';
import { ACTIVATIONS, FAIL_ON, type ActivationNameT } from '../config/schema.js';
import { compareActivations } from '../core/compare.js';
import { defaultCompareLayers } from '../diagnose/activation-variant.js';
import { renderCompareTerminal } from '../report/compare-terminal.js';
import { BACKEND_CHOICES } from '../train/backend.js';
import { intFlag, listFlag, MAX_REPLICAS, parseOptions, resolveSeeds } from './options.js';
import { signalExitCode, withSignals } from './signals.js';
import { terminalPalette } from './tty.js';
import { terminalWidth } from '../report/fit.js';
import { emitOutputs, OutputFlags } from './outputs.js';

export const CompareOptionsSchema = z.strictObject({
  activations: listFlag.default(['relu', 'elu', 'tanh']),
  layers: listFlag.optional(),
  seeds: intFlag(1).optional(),
  seedList: listFlag.optional(),
  steps: intFlag(1).optional(),
  ...OutputFlags,
  failOn: z.enum(FAIL_ON).optional(),
  expectHealthy: listFlag.optional(),
  shard: z
    .string()
    .regex(/^\d+\/\d+$/, 'expected i/n, e.g. 1/2')
    .optional(),
  workers: intFlag(1).optional(),
  replicas: intFlag(1, MAX_REPLICAS).optional(),
  backend: z.enum(BACKEND_CHOICES).default('auto'),
  quiet: z.boolean().default(false),
  debug: z.boolean().default(false),
});

function checkNames(flag: string, given: string[], valid: readonly string[], what: string): void {
  for (const g of given) {
    if (!valid.includes(g)) throw new UsageError(`${flag}: unknown ${what} "${g}"; valid: ${valid.join(', ')}`, { path: flag });
  }
}

/** `critic-doctor compare-activations CONFIG`: the same critic with relu, elu, tanh, ... side by side. */
export function compareActivationsCommand(): Command {
  return new Command('compare-activations')
    .description('run the config once per activation × seed (only the activation differs: same data, same initial V/g/b) and compare')
    .argument('<config>', 'YAML or JSON config file')
    .option('--activations <list>', `comma-separated, of: ${ACTIVATIONS.join(', ')}`, 'relu,elu,tanh')
    .option('--layers <list>', 'layers whose activation is replaced (default: every layer with a nonlinearity)')
    .option('--seeds <n>', "n seeds: the config's seed and the n − 1 after it (default 3)")
    .option('--seed-list <list>', 'explicit seeds, e.g. 1,2,3')
    .option('--steps <n>', "override the config's steps")
    .option('--json <file>', 'write the comparison as JSON (what merge reads)')
    .option('--junit <file>', 'write JUnit XML: one test case per activation × seed')
    .option('--html <file>', 'write a self-contained HTML report with charts')
    .option('--markdown <file>', 'write a Markdown summary')
    .addOption(new Option('--fail-on <event>', 'exit 1 when any run reaches this (nan ⊂ inf ⊂ explosion)').choices(FAIL_ON))
    .option('--expect-healthy <list>', "exit 1 only when one of these activations fails (at --fail-on, else the config's watch.failOn)")
    .option('--shard <i/n>', 'run only the i-th of n slices of the grid (merge the JSON reports afterwards)')
    .option('--replicas <k>', 'train each run with k−1 replicas nudged by one float32 ulp, and say per run whether its diagnosis is robust')
    .option('--workers <n>', 'parallel runs (default: one per core)')
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend').choices(BACKEND_CHOICES).default('auto'))
    .option('-q, --quiet', 'print only the verdict')
    .option('--debug', 'show stack traces of internal errors')
    .addHelpText(
      'after',
      '\nExamples:\n  $ critic-doctor compare-activations configs/seed-critic-tanh.yaml --activations relu,elu,tanh --seeds 3\n' +
        '  $ critic-doctor compare-activations configs/seed-critic-tanh.yaml --expect-healthy tanh --junit compare.xml\n' +
        '  $ critic-doctor compare-activations configs/seed-critic-tanh.yaml --seeds 8 --shard 1/4 --json shard-1.json',
    )
    .action(async (configPath: string, raw: Record<string, unknown>) => {
      const opts = parseOptions(CompareOptionsSchema, raw);
      const loaded = await loadConfig(configPath);
      const config = loaded.config;
      checkNames('--activations', opts.activations, ACTIVATIONS, 'activation');
      const layerNames = config.network.layers.map((l) => l.name);
      const layers = opts.layers ?? defaultCompareLayers(config);
      checkNames('--layers', layers, layerNames, 'layer');
      if (layers.length === 0)
        throw new UsageError('--layers: the config has no layer with a nonlinearity; name the layers to compare', { path: '--layers' });
      const seeds = resolveSeeds(opts, config.seed);
      const expectHealthy = opts.expectHealthy ?? [];
      checkNames('--expect-healthy', expectHealthy, opts.activations, 'activation (not among --activations)');
      let shard: { index: number; count: number } | undefined;
      if (opts.shard) {
        const [i, n] = opts.shard.split('/').map(Number) as [number, number];
        if (n < 1 || i < 1 || i > n) throw new UsageError(`--shard: expected 1 ≤ i ≤ n, got ${opts.shard}`, { path: '--shard' });
        shard = { index: i, count: n };
      }
      const bar =
        !opts.quiet && process.stderr.isTTY
          ? new cliProgress.SingleBar(
              { stream: process.stderr, format: '  {bar} {value}/{total} runs · {last}', clearOnComplete: true },
              cliProgress.Presets.shades_classic,
            )
          : undefined;
      const { value: report, received } = await withSignals((signal) => {
        bar?.start(1, 0, { last: '' });
        return compareActivations({
          loaded,
          activations: opts.activations as ActivationNameT[],
          layers,
          seeds,
          steps: opts.steps,
          failOn: opts.failOn,
          expectHealthy: expectHealthy as ActivationNameT[],
          shard,
          backend: opts.backend,
          concurrency: opts.workers,
          replicas: opts.replicas,
          signal,
          onCellDone: (c, done, total) => {
            bar?.setTotal(total);
            bar?.update(done, { last: `${c.variant} seed ${c.seed}: ${c.worst ?? 'healthy'}` });
          },
        });
      });
      bar?.stop();
      emitOutputs(report, opts);
      process.stdout.write(renderCompareTerminal(report, { palette: terminalPalette(), quiet: opts.quiet, width: terminalWidth() }));
      process.exitCode = received ? signalExitCode(received) : report.verdict.failed ? 1 : 0;
    });
}
