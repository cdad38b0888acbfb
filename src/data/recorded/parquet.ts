import type * as Hyparquet from 'hyparquet';
import { DataError } from '../../config/errors.js';
import { columnGlob, type ColumnNames } from './column-names.js';
import { GrowableF32 } from './growable.js';
import type { BadRowPolicy, RecordedRollout } from './recorded-data.js';
import { finishRollout } from './rollout-columns.js';
import { printable } from './sniff.js';

/** A cell as a number: bigint (int64) through Number, booleans as 0/1, null (missing) as NaN. */
function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return NaN;
}

/**
 * A Parquet rollout through hyparquet, one transition per row, read a row group at a time. The
 * default mapping is LeRobot's: `observation.state` (a list column), `next.reward`, `next.done`,
 * `episode_index`; data.columns overrides it (states may also be scalar columns: a glob or a list).
 * A change of episode index ends an episode: terminal where done is set, else truncated (the
 * file has no state after it, so the last recorded state stands in for the bootstrap).
 */
export async function readParquet(file: string, columns: ColumnNames, policy: BadRowPolicy): Promise<RecordedRollout> {
  const { buffer, metadata, parquetRead, parquetSchema } = await openParquet(file);
  const {
    stateCols,
    listColumn,
    reward,
    done,
    episode,
    actions: actCols,
    read,
  } = pickColumns(parquetSchema(metadata).children, columns, file);
  const acts = actCols ? new GrowableF32() : undefined;
  let actionDim = actCols && !actCols.list ? actCols.names.length : -1;
  const states = new GrowableF32(1 << 16);
  const rewards = new GrowableF32();
  const dones = new GrowableF32();
  const truncs = new GrowableF32();
  const rets = columns.return ? new GrowableF32() : undefined;
  const vals = columns.value ? new GrowableF32() : undefined;
  let dim = listColumn ? -1 : stateCols.length;
  let prevEpisode: unknown = undefined;
  let lastDone = 0;
  let row = 0;
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: unknown[][] = [];
    try {
      await parquetRead({ file: buffer, metadata, columns: read, rowStart, rowEnd, onComplete: (r) => (rows = r) });
    } catch (e) {
      throw new DataError(`cannot read rows ${rowStart}–${rowEnd - 1}: ${printable((e as Error).message)}`, { file });
    }
    rowStart = rowEnd;
    for (const r of rows) {
      dim = pushStates(states, r, listColumn, dim, stateCols[0]!, row, file);
      let k = listColumn ? 1 : dim;
      rewards.push(num(r[k++]));
      const d = num(r[k++]);
      dones.push(d);
      if (episode) {
        const ep = r[k++];
        // A new episode index: the previous row ended its episode (truncated unless it was done).
        if (row > 0 && ep !== prevEpisode && lastDone !== 1) truncs.set(row - 1, 1);
        prevEpisode = ep;
      }
      truncs.push(0);
      lastDone = d;
      if (rets) rets.push(num(r[k++]));
      if (vals) vals.push(num(r[k++]));
      if (acts) actionDim = pushStates(acts, r.slice(k), actCols!.list, actionDim, actCols!.names[0]!, row, file);
      row++;
    }
  }
  if (row === 0) throw new DataError('no transitions: the file has no rows', { file });
  return finishRollout(
    {
      file,
      dim,
      count: row,
      states: states.toArray(),
      rewards: rewards.toArray(),
      dones: dones.toArray(),
      truncations: episode ? truncs.toArray() : undefined,
      returns: rets?.toArray(),
      values: vals?.toArray(),
      ...(acts ? { actions: acts.toArray(), actionDim } : {}),
      where: {
        states: `column ${stateCols.length > 1 ? `${stateCols[0]}..` : stateCols[0]}`,
        rewards: `column ${reward}`,
        dones: `column ${done}`,
        ...(actCols ? { actions: `column ${actCols.names[0]}` } : {}),
      },
      rowName: (t) => `row ${t}`,
      stateSource: listColumn
        ? `list column ${stateCols[0]}`
        : `columns ${stateCols.length > 2 ? `${stateCols[0]}..${stateCols.at(-1)}` : stateCols.join(', ')}`,
    },
    policy,
  );
}

async function openParquet(file: string) {
  // hyparquet is loaded with the first Parquet file (~90 ms that no other run should pay).
  const { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } = await import('hyparquet');
  try {
    const buffer = await asyncBufferFromFile(file);
    return { buffer, metadata: await parquetMetadataAsync(buffer), parquetRead, parquetSchema };
  } catch (e) {
    throw new DataError(`not a readable Parquet file (${printable((e as Error).message)})`, { file });
  }
}

/** The columns to read, checked against the file's: states (one list column, or scalars by glob or list), reward, done, ... */
function pickColumns(top: ReturnType<typeof Hyparquet.parquetSchema>['children'], columns: ColumnNames, file: string) {
  const names = top.map((c) => c.element.name);
  const has = (n: string) => names.includes(n);
  const shown = () => printable(names.join(', '), 200);
  const need = (n: string, key: string) => {
    if (!has(n)) throw new DataError(`missing column "${n}" (data.columns.${key}); the file has: ${shown()}`, { file });
    return n;
  };
  // One list column (LeRobot's observation.state, action), or scalar columns by glob or list.
  const pick = (spec: string | string[], key: string) => {
    const list = typeof spec === 'string' && has(spec) && top.find((c) => c.element.name === spec)!.children.length > 0;
    const cols = list
      ? [spec as string]
      : Array.isArray(spec)
        ? spec.map((n) => need(n, key))
        : spec.includes('*') || spec.includes('?')
          ? names.filter((n) => columnGlob(spec).test(n))
          : [need(spec, key)];
    if (cols.length === 0)
      throw new DataError(`no column matches "${String(spec)}" (data.columns.${key}); the file has: ${shown()}`, { file });
    return { names: cols, list };
  };
  const states = pick(columns.states, 'states');
  const stateCols = states.names;
  const listColumn = states.list;
  const reward = need(columns.reward, 'reward');
  const done = need(columns.done, 'done');
  // The default episode column (LeRobot's) is used where the file has it; one named in the config must be there.
  const episode =
    columns.episode && (has(columns.episode) || columns.episode !== 'episode_index') ? need(columns.episode, 'episode') : undefined;
  const extra = [columns.return && need(columns.return, 'return'), columns.value && need(columns.value, 'value')];
  const actions = columns.actions === undefined ? undefined : pick(columns.actions, 'actions');
  const read = [
    ...stateCols,
    reward,
    done,
    ...(episode ? [episode] : []),
    ...extra.filter((c): c is string => !!c),
    ...(actions?.names ?? []),
  ];
  return { stateCols, listColumn, reward, done, episode, actions, read };
}

/** Appends one row's state (a list column, or `dim` scalar columns); returns the state width (set by the first list). */
function pushStates(
  states: GrowableF32,
  r: unknown[],
  listColumn: boolean,
  dim: number,
  column: string,
  row: number,
  file: string,
): number {
  if (!listColumn) {
    for (let j = 0; j < dim; j++) states.push(num(r[j]));
    return dim;
  }
  const list = r[0];
  const path = `column ${column}, row ${row}`;
  if (!Array.isArray(list))
    throw new DataError(`row ${row}: "${column}" is ${list === null ? 'null' : typeof list}, not a list of numbers`, { file, path });
  const width = dim < 0 ? list.length : dim;
  if (list.length !== width)
    throw new DataError(`row ${row}: "${column}" has ${list.length} numbers, earlier rows have ${width}`, { file, path });
  for (const v of list) states.push(num(v));
  return width;
}
