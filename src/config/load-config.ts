import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigSchema, type Config } from './schema.js';
import { ConfigError } from './errors.js';
import { lineOf, parseYamlSource, type YamlSource } from './yaml-source.js';
import { describeIssue, formatPath } from './zod-issues.js';

/** A validated config plus where it came from (for error lines, annotations and lint). */
export interface LoadedConfig {
  config: Config;
  /** Absolute path of the config file, or a pseudo name for configs built in code. */
  file: string;
  source?: YamlSource;
  /** sha256 of the resolved config as canonical JSON; reports record it. */
  hash: string;
  /** Settings the config took from somewhere else (a Keras file's optimizer), one line each, for report headers. */
  settingsFrom?: string[];
}

/** Config files bigger than this are not configs; refuse before parsing. */
const MAX_CONFIG_BYTES = 1 << 20;
/** Parameters beyond this would not fit a diagnostic run; refused before anything is allocated. */
const MAX_PARAMETERS = 50_000_000;
/** batch × widest layer beyond this would allocate gigabytes per activation. */
const MAX_ACTIVATION_ELEMENTS = 64_000_000;

/** Reads, parses and validates a YAML/JSON config file; every problem becomes one ConfigError. */
export function loadConfigFile(file: string): LoadedConfig {
  const { value, source } = readConfigValue(file);
  return validateConfig(value, file, source);
}

/** A config file's text as a plain value (not yet validated), with its YAML source for line numbers. */
export function readConfigValue(file: string): { value: unknown; source: YamlSource } {
  const abs = path.resolve(file);
  let text: string;
  try {
    const st = statSync(abs);
    if (st.isDirectory()) throw new ConfigError('expected a config file, got a directory', { file });
    if (st.size > MAX_CONFIG_BYTES)
      throw new ConfigError(`config file is ${st.size} bytes; a config is at most ${MAX_CONFIG_BYTES}`, { file });
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String((e as Error).message);
    throw new ConfigError(`cannot read config: ${why}`, { file });
  }
  if (text.includes('\u0000')) throw new ConfigError('this is a binary file, not a YAML or JSON config', { file });
  return parseConfigValue(text, file);
}

function parseConfigValue(text: string, file: string): { value: unknown; source: YamlSource } {
  if (text.trim() === '') throw new ConfigError('config file is empty; expected a mapping with network, data, ...', { file, line: 1 });
  if (file.toLowerCase().endsWith('.json')) checkJsonSyntax(text, file);
  return parseYamlSource(text, file);
}

/** Parses and validates config text; `file` names it in messages. */
export function parseConfigText(text: string, file = '<config>'): LoadedConfig {
  const { value, source } = parseConfigValue(text, file);
  return validateConfig(value, file, source);
}

/** Validates an already-parsed value (from a file with `source`, or built in code). */
export function validateConfig(value: unknown, file = '<config>', source?: YamlSource): LoadedConfig {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError('expected a mapping (key: value pairs) at the top level', { file, line: 1 });
  }
  const parsed = ConfigSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((i) => describeIssue(ConfigSchema, i));
    const located = problems.map((p) => ({ ...p, line: source ? lineOf(source, p.path, p.key) : undefined }));
    // An unknown key is usually the cause of a "missing" one beside it (a typo): report it first.
    located.sort((a, b) => Number(b.key !== undefined) - Number(a.key !== undefined) || (a.line ?? 0) - (b.line ?? 0));
    const first = located[0]!;
    const details = located.map((p) => (p.line !== undefined ? `${file}:${p.line}: ${p.message}` : `${file}: ${p.message}`));
    throw new ConfigError(first.message, { file, line: first.line, path: formatPath(first.path) }, details);
  }
  const config = parsed.data;
  checkConsistency(config, file, source);
  return { config, file, source, hash: configHash(config) };
}

function checkConsistency(config: Config, file: string, source?: YamlSource): void {
  const fail = (p: PropertyKey[], message: string): never => {
    throw new ConfigError(`${formatPath(p)}: ${message}`, { file, line: source ? lineOf(source, p) : undefined, path: formatPath(p) });
  };
  const seen = new Map<string, number>();
  config.network.layers.forEach((l, i) => {
    if (seen.has(l.name))
      fail(['network', 'layers', i, 'name'], `layer name "${l.name}" is already used by network.layers[${seen.get(l.name)}]`);
    seen.set(l.name, i);
    if (l.alpha !== undefined && l.activation !== 'leaky_relu' && l.activation !== 'elu') {
      fail(['network', 'layers', i, 'alpha'], `alpha applies to leaky_relu and elu, not ${l.activation}`);
    }
  });
  const last = config.network.layers.length - 1;
  if (config.network.layers[last]!.dropout !== undefined)
    fail(['network', 'layers', last, 'dropout'], "the last layer is the critic's value v(s): no dropout after it");
  if (config.network.layers[last]!.units !== 1) {
    fail(
      ['network', 'layers', last, 'units'],
      `the last layer is the critic's value v(s): expected 1 unit, got ${config.network.layers[last]!.units}`,
    );
  }
  checkResiduals(config.network.layers, fail);
  const { actionAt, actionDim } = config.network;
  if (actionAt !== undefined) {
    if (actionDim === undefined) fail(['network', 'actionAt'], 'names where the action joins, but network.actionDim is not given');
    if (!seen.has(actionAt))
      fail(['network', 'actionAt'], `no layer is named ${actionAt} (layers: ${config.network.layers.map((l) => l.name).join(', ')})`);
  }
  let fanIn = config.network.inputDim;
  let params = 0;
  for (const [i, l] of config.network.layers.entries()) {
    if (actionDim !== undefined && (actionAt === undefined ? i === 0 : l.name === actionAt)) fanIn += actionDim;
    params += fanIn * l.units + 2 * l.units;
    if (config.batchSize * l.units > MAX_ACTIVATION_ELEMENTS) {
      fail(
        ['network', 'layers', i, 'units'],
        `batchSize × units = ${config.batchSize * l.units} activations; at most ${MAX_ACTIVATION_ELEMENTS}`,
      );
    }
    fanIn = l.units;
  }
  if (params > MAX_PARAMETERS) fail(['network'], `${params} parameters; a critic-doctor run handles at most ${MAX_PARAMETERS}`);
  const d = config.data;
  if (d.source === 'synthetic' && d.transitions < config.batchSize) {
    fail(['data', 'transitions'], `${d.transitions} transitions cannot fill a batch of ${config.batchSize}`);
  }
}

/** A residual names an earlier layer as wide as its own, and the value layer v(s) adds nothing. */
function checkResiduals(layers: Config['network']['layers'], fail: (p: PropertyKey[], message: string) => never): void {
  layers.forEach((l, i) => {
    if (l.residual === undefined) return;
    const at = ['network', 'layers', i, 'residual'];
    const from = layers.findIndex((o) => o.name === l.residual);
    if (i === layers.length - 1) fail(at, "the last layer is the critic's value v(s): nothing is added to it");
    if (from < 0 || from >= i)
      fail(
        at,
        `${l.residual} is not a layer before ${l.name} (earlier layers: ${
          layers
            .slice(0, i)
            .map((o) => o.name)
            .join(', ') || 'none'
        })`,
      );
    if (layers[from]!.units !== l.units)
      fail(at, `${l.residual} gives ${layers[from]!.units} units; ${l.name} has ${l.units}: a sum needs the same width`);
  });
}

/** JSON files are held to JSON's grammar (YAML would accept trailing commas, comments, ...). */
function checkJsonSyntax(text: string, file: string): void {
  try {
    JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = Number(/position (\d+)/.exec(msg)?.[1] ?? NaN);
    const before = Number.isFinite(pos) ? text.slice(0, pos) : '';
    const line = Number.isFinite(pos) ? before.split('\n').length : undefined;
    const column = Number.isFinite(pos) ? pos - before.lastIndexOf('\n') : undefined;
    throw new ConfigError(`syntax error: ${msg.replace(/ in JSON at position \d+.*$/, '')}`, { file, line, column });
  }
}

/** sha256 of the canonical JSON of a resolved config. */
export function configHash(config: Config): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex');
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
