import { DataError } from '../../config/errors.js';
import { columnGlob, type ColumnNames } from './column-names.js';
import { RolloutCollector, type GrowableF32 } from './growable.js';
import { parseDone, type BadRowPolicy, type RecordedRollout } from './recorded-data.js';
import { printable } from './sniff.js';
import { textLines } from './text-lines.js';

/** Where a named column sits in the header; missing, an error naming it and the key (data.columns.KEY) that names it. */
function columnIndex(header: string[], name: string, key: string, file: string): number {
  const i = header.indexOf(name);
  if (i < 0)
    throw new DataError(`missing column "${name}" (data.columns.${key}); the header has: ${printable(header.join(', '), 200)}`, {
      file,
      line: 1,
    });
  return i;
}

/** Picks the state (or action) columns: a glob ("obs_*", in header order) or an explicit list. */
function stateColumns(header: string[], spec: string | string[], file: string, key = 'states'): number[] {
  if (Array.isArray(spec)) return spec.map((name) => columnIndex(header, name, key, file));
  const re = columnGlob(spec);
  const idx = header.flatMap((h, i) => (re.test(h) ? [i] : []));
  if (idx.length === 0)
    throw new DataError(`no column matches "${spec}" (data.columns.${key}); the header has: ${printable(header.join(', '), 200)}`, {
      file,
      line: 1,
    });
  return idx;
}

type HeaderColumns = { states: number[]; actions?: number[]; reward: number; done: number; ret?: number; value?: number };

/** Where each named column sits in the header. */
function headerColumns(header: string[], columns: ColumnNames, file: string): HeaderColumns {
  const need = (name: string, key: string) => columnIndex(header, name, key, file);
  return {
    states: stateColumns(header, columns.states, file),
    actions: columns.actions !== undefined ? stateColumns(header, columns.actions, file, 'actions') : undefined,
    reward: need(columns.reward, 'reward'),
    done: need(columns.done, 'done'),
    ret: columns.return ? need(columns.return, 'return') : undefined,
    value: columns.value ? need(columns.value, 'value') : undefined,
  };
}

/**
 * A CSV rollout: a header row, then one transition per row. Streams the file and stores only the
 * chosen columns, in typed arrays. Every number must be finite; a row that is not (or has the
 * wrong number of fields) is an error naming its line and column, or is dropped under `drop`.
 */
export async function readCsv(file: string, columns: ColumnNames, policy: BadRowPolicy, gzip = false): Promise<RecordedRollout> {
  let header: string[] | undefined;
  let cols: HeaderColumns | undefined;
  const rows = new RolloutCollector(columns.return !== undefined, columns.value !== undefined, columns.actions !== undefined);
  const states = rows.states;
  let dropped = 0;
  for await (const { text, line } of textLines(file, gzip)) {
    if (!header) {
      if (text.trim() === '') continue;
      header = text.split(',').map((h) => h.trim().replace(/^"(.*)"$/, '$1'));
      cols = headerColumns(header, columns, file);
      continue;
    }
    if (text.trim() === '') continue;
    const f = text.split(',');
    const bad = (why: string, column?: string) => {
      if (policy === 'drop') return true;
      throw new DataError(why, { file, line, path: column ? `column ${column}` : undefined });
    };
    if (f.length !== header.length) {
      if (bad(`ragged row: ${f.length} fields, the header has ${header.length}`)) {
        dropped++;
        continue;
      }
    }
    const c = cols!;
    const mark = states.length;
    const actionMark = rows.actions?.length ?? 0;
    const acts = c.actions ? () => pushNumbers(f, c.actions!, rows.actions!, 'actions', header!) : () => null;
    const wrong = pushNumbers(f, c.states, states, 'states', header) ?? acts();
    let ok = !(wrong && bad(wrong.message, wrong.column));
    const num = (i: number | undefined, what: string): number => {
      if (i === undefined || !ok) return 0;
      const v = Number(f[i]);
      if (!Number.isFinite(v) || f[i]!.trim() === '')
        ok = !bad(`${describe(f[i])} in column ${header![i]}: ${what} must be a finite number`, header![i]);
      return v;
    };
    const r = num(c.reward, 'the reward');
    const d = ok ? parseDone(f[c.done] ?? '') : 0;
    if (ok && Number.isNaN(d)) ok = !bad(`"${f[c.done]}" in column ${header[c.done]}: done must be 0/1 or true/false`, header[c.done]);
    const ret = num(c.ret, 'the return');
    const val = num(c.value, 'the value');
    if (!ok) {
      states.truncate(mark);
      rows.actions?.truncate(actionMark);
      dropped++;
      continue;
    }
    rows.addRow(r, d, ret, val);
  }
  if (!header) throw new DataError('empty file: expected a header row and at least one transition', { file, line: 1 });
  if (rows.count === 0)
    throw new DataError(
      `no transitions: the file has a header but no${dropped ? ' usable' : ''} data rows${dropped ? ` (${dropped} dropped)` : ''}`,
      { file, line: 2 },
    );
  const dim = cols!.states.length;
  const names = cols!.states.map((i) => header![i]!);
  return rows.finish(
    dim,
    dropped,
    names.length > 2 ? `columns ${names[0]}..${names[names.length - 1]}` : `columns ${names.join(', ')}`,
    cols!.actions?.length,
  );
}

/** The fields at `idx` as finite numbers onto `out`; the first that is not, as a message naming its column. */
function pushNumbers(f: string[], idx: readonly number[], out: GrowableF32, what: string, header: string[]) {
  for (const i of idx) {
    const v = Number(f[i]);
    if (!Number.isFinite(v) || f[i]!.trim() === '')
      return { message: `${describe(f[i])} in column ${header[i]}: ${what} must be finite numbers`, column: header[i] };
    out.push(v);
  }
  return null;
}

function describe(s: string | undefined): string {
  if (s === undefined || s.trim() === '') return 'an empty field';
  return `"${s.trim()}"`;
}
