import path from 'node:path';
import { DataError } from '../../config/errors.js';
import type { RecordedDataConfig } from '../../config/schema.js';
import { readArrays } from './arrays.js';
import { columnNames } from './column-names.js';
import { readCsv } from './csv.js';
import { readHdf5Bounded } from './hdf5-bounded.js';
import { readJsonl } from './jsonl.js';
import { readParquet } from './parquet.js';
import { checkInputFile } from './read-input.js';
import { describeSniffed, sniffFile, type Sniffed } from './sniff.js';
import type { BadRowPolicy, RecordedRollout } from './recorded-data.js';

type Format = NonNullable<RecordedDataConfig['format']>;

const BY_EXTENSION: Record<string, Format> = {
  '.csv': 'csv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.npy': 'npy',
  '.npz': 'npz',
  '.h5': 'hdf5',
  '.hdf5': 'hdf5',
  '.parquet': 'parquet',
};

/** What each format's first bytes look like. */
const EXPECTED: Record<Format, Sniffed> = { csv: 'text', jsonl: 'text', npy: 'npy', npz: 'zip', hdf5: 'hdf5', parquet: 'parquet' };
const WHAT: Record<Format, string> = {
  csv: 'a CSV file',
  jsonl: 'a JSONL file',
  npy: 'a numpy .npy array',
  npz: 'an .npz (zip) archive',
  hdf5: 'an HDF5 file',
  parquet: 'a Parquet file',
};
/** The extension a file of each kind should carry (for hints). */
const NAME_IT: Partial<Record<Sniffed, string>> = { npy: '.npy', zip: '.npz', hdf5: '.h5', parquet: '.parquet', text: '.csv or .jsonl' };

/** The format a file name says: its extension, looking through a trailing .gz (rollout.csv.gz is CSV). */
export function formatFromName(file: string): { format?: Format; gz: boolean } {
  const lower = file.toLowerCase();
  const gz = lower.endsWith('.gz');
  return { format: BY_EXTENSION[path.extname(gz ? lower.slice(0, -3) : lower)], gz };
}

/**
 * Loads a recorded rollout (data.path relative to the config's folder) and checks it against the
 * network before any training: a data fault is a DataError naming the file and the row/index and
 * column/array, never a network fault found later.
 */
export async function loadRecorded(
  cfg: RecordedDataConfig,
  baseDir: string,
  inputDim: number,
  policy: BadRowPolicy,
  actionDim?: number,
): Promise<RecordedRollout> {
  const file = path.resolve(baseDir, cfg.path);
  const shown = path.relative(process.cwd(), file) || file;
  const byName = formatFromName(file);
  const format = cfg.format ?? byName.format;
  checkInputFile(file);
  const kind = sniffFile(file);
  if (!format) {
    const looks = kind === 'text' ? 'it looks like text' : `it ${describeSniffed(kind)}`;
    const hint =
      kind === 'gzip' ? 'name it .csv.gz or .jsonl.gz, or set data.format' : 'set data.format to csv, jsonl, npy, npz, hdf5 or parquet';
    throw new DataError(`cannot tell the format from the name "${path.basename(file)}" (${looks}): ${hint}`, { file: shown });
  }
  const gzip = checkContent(kind, format, cfg.compression, shown);
  let r: RecordedRollout;
  try {
    // A V(s) critic reads no actions, even where the file has them (a bad action is then no error).
    const read =
      actionDim === undefined
        ? { ...cfg, arrays: { ...cfg.arrays, actions: undefined }, columns: { ...cfg.columns, actions: undefined } }
        : cfg;
    r = await readFormat(file, format, read, baseDir, policy, gzip, actionDim !== undefined);
  } catch (e) {
    // Messages name files as the user wrote them (relative), not as absolute paths.
    if (e instanceof DataError && e.location.file) e.location.file = path.relative(process.cwd(), e.location.file) || e.location.file;
    throw e;
  }
  if (r.dim !== inputDim) {
    throw new DataError(`states have ${r.dim} features (${r.stateSource}), but network.inputDim is ${inputDim}`, { file: shown });
  }
  if (actionDim !== undefined) {
    if (!r.actions)
      throw new DataError(
        `the critic is Q(s, a) (an action input ${actionDim} wide) but the file has no actions: ` +
          'name them with data.columns.actions (CSV, JSONL, Parquet) or data.arrays.actions (numpy, HDF5); D4RL, Minari and ' +
          "robomimic files are read from their actions datasets, LeRobot's from its action column",
        { file: shown },
      );
    if (r.actionDim !== actionDim)
      throw new DataError(`actions have ${r.actionDim} dimensions, but the model's action input (network.actionDim) takes ${actionDim}`, {
        file: shown,
      });
  }
  if (cfg.targets === 'precomputed' && !r.returns)
    throw new DataError('data.targets is precomputed but no return column/array is named (data.columns.return or data.arrays.returns)', {
      file: shown,
    });
  if (cfg.targets === 'gae' && !r.values)
    throw new DataError('data.targets is gae, which needs values: name data.columns.value or data.arrays.values', { file: shown });
  return r;
}

/**
 * Refuses a file whose content is not what its format expects, saying what it looks like (never
 * printing its bytes). CSV/JSONL may be gzip-compressed (data.compression auto or gzip).
 * Returns whether to read through gunzip.
 */
function checkContent(kind: Sniffed, fmt: Format, compression: RecordedDataConfig['compression'], shown: string): boolean {
  const text = EXPECTED[fmt] === 'text';
  if (text && kind === 'gzip' && compression !== 'none') return true;
  if (text && compression === 'gzip')
    throw new DataError(
      `data.compression is gzip, but the file is not gzip-compressed (it ${kind === 'text' ? 'looks like text' : describeSniffed(kind)})`,
      {
        file: shown,
      },
    );
  if (kind === EXPECTED[fmt]) return false;
  const looks = kind === 'text' ? 'looks like text' : describeSniffed(kind);
  const hint =
    kind === 'gzip'
      ? text
        ? ': name it .csv.gz / .jsonl.gz or set data.compression to auto'
        : `: ${WHAT[fmt].replace(/^an? /, '')} cannot be read compressed; decompress it first`
      : NAME_IT[kind]
        ? ` (set data.format, or name it ${NAME_IT[kind]})`
        : '';
  throw new DataError(`${looks}, not ${WHAT[fmt]}${hint}`, { file: shown });
}

/** The reader for a format. */
function readFormat(
  file: string,
  format: Format,
  cfg: RecordedDataConfig,
  baseDir: string,
  policy: BadRowPolicy,
  gzip: boolean,
  actions: boolean,
) {
  switch (format) {
    case 'csv':
      return readCsv(file, columnNames(cfg, 'csv'), policy, gzip);
    case 'jsonl':
      return readJsonl(file, columnNames(cfg, 'jsonl', actions), policy, gzip);
    case 'parquet':
      return readParquet(file, columnNames(cfg, 'parquet', actions), policy);
    case 'hdf5':
      return readHdf5Bounded(file, cfg, policy, actions);
    default:
      return readArrays(file, format, cfg, baseDir, policy);
  }
}
