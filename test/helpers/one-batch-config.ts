import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './temp-dir.js';

/**
 * A one-step config of `model` trained on one batch of `obs` rows with 0 returns (recorded JSONL,
 * in order): the first loss is then mean(v²) of the model's forward, as a writer's script computes
 * it. `extra` lines (an optimizer, clipping) go after the network's.
 */
export function oneBatchConfig(model: string, obs: readonly number[][], extra: string[] = []): string {
  const dir = tempDir('cd-one-batch-');
  const rows = obs.map((o) => JSON.stringify({ obs: o, reward: 0, done: false, return: 0 }));
  writeFileSync(path.join(dir, 'batch.jsonl'), rows.join('\n'));
  const file = path.join(dir, 'c.yaml');
  writeFileSync(
    file,
    [
      'steps: 1',
      `batchSize: ${rows.length}`,
      `network: { model: ${model} }`,
      ...extra,
      'data: { source: recorded, path: batch.jsonl, targets: precomputed, sampling: sequential, columns: { return: return } }',
    ].join('\n'),
  );
  return file;
}
