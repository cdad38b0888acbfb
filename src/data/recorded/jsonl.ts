import { DataError } from '../../config/errors.js';
import type { ColumnNames } from './column-names.js';
import { RolloutCollector } from './growable.js';
import type { BadRowPolicy, RecordedRollout } from './recorded-data.js';
import { textLines } from './text-lines.js';

/**
 * A JSONL rollout: one transition per line, `{"obs": [...], "reward": r, "done": b, ...}` (field
 * names from data.columns: states, reward, done, return, value). Streamed line by line.
 */
export async function readJsonl(file: string, columns: ColumnNames, policy: BadRowPolicy, gzip = false): Promise<RecordedRollout> {
  // A CSV-style glob (obs_*) names the JSONL field obs.
  const obsKey = Array.isArray(columns.states) ? columns.states[0]! : columns.states === 'obs_*' ? 'obs' : columns.states;
  const actKey = typeof columns.actions === 'string' ? columns.actions : columns.actions?.[0];
  const rows = new RolloutCollector(columns.return !== undefined, columns.value !== undefined, actKey !== undefined);
  let dim = -1;
  let actionDim = -1;
  let dropped = 0;
  let lines = 0;
  for await (const { text, line } of textLines(file, gzip)) {
    if (text.trim() === '') continue;
    lines++;
    const fail = (why: string, field?: string): boolean => {
      if (policy === 'drop') return true;
      throw new DataError(why, { file, line, path: field ? `field ${field}` : undefined });
    };
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      if (fail(`not JSON: ${(e as Error).message}`)) dropped++;
      continue;
    }
    if (!row || typeof row !== 'object' || Array.isArray(row)) {
      if (fail('expected a JSON object per line')) dropped++;
      continue;
    }
    const obs = row[obsKey];
    if (!Array.isArray(obs)) {
      if (fail(`missing "${obsKey}" (an array of numbers)`, obsKey)) dropped++;
      continue;
    }
    if (dim < 0) dim = obs.length;
    if (obs.length !== dim) {
      if (fail(`ragged row: "${obsKey}" has ${obs.length} numbers, earlier lines have ${dim}`, obsKey)) dropped++;
      continue;
    }
    const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
    const badObs = obs.findIndex((v) => !finite(v));
    if (badObs >= 0) {
      if (fail(`${JSON.stringify(obs[badObs])} at ${obsKey}[${badObs}]: states must be finite numbers`, `${obsKey}[${badObs}]`)) dropped++;
      continue;
    }
    const act = actKey === undefined ? null : actionsOf(row[actKey], actKey, actionDim);
    if (act && 'why' in act) {
      if (fail(act.why, actKey)) dropped++;
      continue;
    }
    const r = row[columns.reward];
    if (!finite(r)) {
      if (fail(`${JSON.stringify(r)} in "${columns.reward}": the reward must be a finite number`, columns.reward)) dropped++;
      continue;
    }
    const d = row[columns.done];
    if (typeof d !== 'boolean' && d !== 0 && d !== 1) {
      if (fail(`${JSON.stringify(d)} in "${columns.done}": done must be true/false or 0/1`, columns.done)) dropped++;
      continue;
    }
    const extra = (key: string | undefined) => (key === undefined ? 0 : row[key]);
    const ret = extra(columns.return);
    const val = extra(columns.value);
    if ((columns.return && !finite(ret)) || (columns.value && !finite(val))) {
      const key = columns.return && !finite(ret) ? columns.return : columns.value!;
      if (fail(`${JSON.stringify(row[key])} in "${key}": must be a finite number`, key)) dropped++;
      continue;
    }
    for (const v of obs as number[]) rows.states.push(v);
    if (act) {
      actionDim = act.values.length;
      for (const v of act.values) rows.actions!.push(v);
    }
    rows.addRow(r, d === true || d === 1 ? 1 : 0, ret as number, val as number);
  }
  if (lines === 0) throw new DataError('empty file: expected one JSON transition per line', { file, line: 1 });
  if (rows.count === 0) throw new DataError(`no usable transitions (${dropped} dropped)`, { file });
  return rows.finish(dim, dropped, `field ${obsKey}`, actKey !== undefined ? actionDim : undefined);
}

/** A line's action: a number or an array of finite numbers as wide as the lines before (`width`, −1 at first). */
function actionsOf(a: unknown, key: string, width: number): { values: number[] } | { why: string } {
  const values = typeof a === 'number' ? [a] : a;
  if (!Array.isArray(values)) return { why: `missing "${key}" (the action: a number or an array of numbers)` };
  if (width >= 0 && values.length !== width)
    return { why: `ragged row: "${key}" has ${values.length} numbers, earlier lines have ${width}` };
  const bad = values.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad >= 0) return { why: `${JSON.stringify(values[bad])} at ${key}[${bad}]: actions must be finite numbers` };
  return { values: values as number[] };
}
