import type { RecordedDataConfig } from '../../config/schema.js';

/** The column / field names a recorded file is read with, data.columns over the format's defaults. */
export interface ColumnNames {
  states: string | string[];
  actions?: string | string[];
  reward: string;
  done: string;
  episode?: string;
  return?: string;
  value?: string;
}

/**
 * Defaults: the fixture generator's names for CSV (obs_* columns) and JSONL (an obs array), and
 * LeRobot's for Parquet (observation.state as a list column, next.reward, next.done, episode_index).
 */
export function columnNames(cfg: RecordedDataConfig, format: 'csv' | 'jsonl' | 'parquet', actions = false): ColumnNames {
  const c = cfg.columns;
  const lerobot = format === 'parquet';
  return {
    states: c.states ?? (lerobot ? 'observation.state' : format === 'jsonl' ? 'obs' : 'obs_*'),
    // Q(s, a) critics only: LeRobot's `action` list column, a JSONL `action` field; CSV columns must be named.
    actions: c.actions ?? (actions && format !== 'csv' ? 'action' : undefined),
    reward: c.reward ?? (lerobot ? 'next.reward' : 'reward'),
    done: c.done ?? (lerobot ? 'next.done' : 'done'),
    episode: c.episode ?? (lerobot ? 'episode_index' : undefined),
    return: c.return,
    value: c.value,
  };
}

/** A column glob as data.columns.states takes it ("obs_*", "q?"): `*` any run of characters, `?` one; anything else literal. */
export function columnGlob(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
}
