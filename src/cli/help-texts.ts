/*
 * What each command's --help says beside its flags: its summary, its argument and its examples,
 * in one table so the commands read alike and each file holds only what the command does.
 */

export interface HelpText {
  summary: string;
  /** The positional argument: its commander spelling and help. */
  argument?: [string, string];
  examples: string[];
  /** A closing line after the examples. */
  footer?: string;
}

const CONFIG_ARG: [string, string] = ['<config>', 'YAML or JSON config file'];

export const HELP: Record<string, HelpText> = {
  run: {
    summary: 'train the critic a config describes, with a watchdog on every layer, and report the first NaN, Inf or explosion',
    argument: CONFIG_ARG,
    examples: [
      'critic-doctor run configs/seed-critic-relu.yaml --json report.json',
      'critic-doctor run configs/nan-sgd-relu.yaml --fail-on nan --steps 2000',
      'critic-doctor run configs/nan-sgd-relu.yaml --replicas 8',
    ],
    footer: 'Exit codes: 0 healthy, 1 NaN/Inf (or what --fail-on names), 2 bad config/data/usage, 3 internal error, 130/143 interrupted.',
  },
  'compare-activations': {
    summary: 'run the config once per activation × seed (only the activation differs: same data, same initial V/g/b) and compare',
    argument: CONFIG_ARG,
    examples: [
      'critic-doctor compare-activations configs/seed-critic-tanh.yaml --activations relu,elu,tanh --seeds 3',
      'critic-doctor compare-activations configs/seed-critic-tanh.yaml --expect-healthy tanh --junit compare.xml',
      'critic-doctor compare-activations configs/seed-critic-tanh.yaml --seeds 8 --shard 1/4 --json shard-1.json',
    ],
  },
  merge: {
    summary: 'combine compare-activations shard reports (--shard i/n) into one table and exit code',
    argument: ['<reports...>', 'JSON reports written by compare-activations --shard i/n --json'],
    examples: ['critic-doctor merge shard-1.json shard-2.json --json all.json'],
  },
  treat: {
    summary: 'run the failing config, then each remedy as a one-change variant on the same data and seeds, and report which cure it',
    argument: ['<config>', 'YAML or JSON config file (its run must fail)'],
    examples: [
      'critic-doctor treat configs/nan-sgd-relu.yaml --seeds 2 --write-fixed fixed.yaml',
      'critic-doctor treat configs/seed-critic-relu.yaml --remedies he-init,bias-0,g-0.5,gamma-0.99',
    ],
  },
  replay: {
    summary: 'replay the failing step saved by `run --dump-dir` and print the exact-op analysis (exit 0 when it reproduces)',
    argument: ['<dir>', 'a dump folder written by run --dump-dir'],
    examples: ['critic-doctor run configs/nan-sgd-relu.yaml --dump-dir crash/ ; critic-doctor replay crash/'],
  },
  lint: {
    summary: 'check a config for settings known to cause or hide trouble (also run before every `run`)',
    argument: CONFIG_ARG,
    examples: ['critic-doctor lint configs/seed-critic-relu.yaml'],
  },
  inspect: {
    summary: 'say what a model or weights file is and holds (format, tensors, layers, optimizer state) and the config lines to run it',
    argument: ['<file>', 'a .keras/.h5/.onnx model, a .pt/.zip/.safetensors weights file, or a TensorFlow checkpoint prefix or .index'],
    examples: ['critic-doctor inspect critic.pt', 'critic-doctor inspect ckpt/model.ckpt-12000.index --json'],
  },
  render: {
    summary: 'turn a saved JSON report into HTML, Markdown or JUnit without re-training',
    argument: ['<report>', 'a JSON report written with --json'],
    examples: ['critic-doctor render report.json --html report.html --junit report.xml'],
  },
  init: {
    summary: "write a commented config of the seed's critic to start from",
    examples: ['critic-doctor init --activation elu --out my-critic.yaml && critic-doctor run my-critic.yaml'],
  },
  schema: {
    summary: 'print the JSON Schema of config files (for editors: yaml-language-server, VS Code)',
    examples: ['critic-doctor schema > config.schema.json'],
  },
  'report-schema': {
    summary: 'print the JSON Schema of the JSON reports (run, compare-activations and treat)',
    examples: ['critic-doctor report-schema > report.schema.json'],
  },
};

/** The text after the options: "Example:" (or "Examples:") with each example after "$ ", then the footer. */
export function helpAfter(h: HelpText): string {
  const lines = h.examples.map((e) => `  $ ${e}`).join('\n');
  return `\nExample${h.examples.length > 1 ? 's' : ''}:\n${lines}${h.footer ? `\n\n${h.footer}` : ''}`;
}
