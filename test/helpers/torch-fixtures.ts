import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readNpz } from '../../src/data/recorded/npz.js';
import { ROOT } from './cli.js';
import { tempDir } from './temp-dir.js';

/** fixtures/torch/: what scripts/write-torch-fixtures.py had Debian's PyTorch 1.13 write. */
export const TORCH_DIR = path.join(ROOT, 'fixtures/torch');

/** torch-updates.npz: `<case>.<parameter>` as torch holds it ([out, in] weights), `<case>.loss` per step. */
export function torchArrays(): (key: string) => { values: Float64Array; shape: number[] } {
  const file = path.join(TORCH_DIR, 'torch-updates.npz');
  const arrays = readNpz(readFileSync(file), file);
  return (key) => {
    const a = arrays.get(key);
    if (!a) throw new Error(`torch-updates.npz has no ${key}`);
    const r = a();
    return { values: Float64Array.from(r.values), shape: r.shape };
  };
}

/** Worst |ours − torch's| of one parameter: ours a [in, out] kernel (or a bias), torch's an [out, in] weight. */
export function worstOf(ours: ArrayLike<number>, torch: { values: Float64Array; shape: number[] }): number {
  const [rows, cols] = torch.shape.length === 2 ? (torch.shape as [number, number]) : [1, torch.values.length];
  let worst = 0;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const mine = torch.shape.length === 2 ? ours[c * rows + r]! : ours[c]!;
      worst = Math.max(worst, Math.abs(mine - torch.values[r * cols + c]!));
    }
  return worst;
}

/** The PPO fixture critic's parameters as torch holds them: weight [out, in], bias, per layer. */
export const PPO_SHAPES = [[64, 8], [64], [64, 64], [64], [1, 64], [1]];

/** Worst |ours − torch's| over every PPO parameter, torch's values flat as expected.json has them. */
export function worstAfter(ours: ArrayLike<number>[], torch: number[][]): number {
  return Math.max(...ours.map((p, k) => worstOf(p, { values: Float64Array.from(torch[k]!), shape: PPO_SHAPES[k]! })));
}

/** A file `name` holding `content` in a fresh temporary folder (a test's config, a cut fixture); its path. */
export function tmpFile(name: string, content: string | Uint8Array): string {
  const file = path.join(tempDir('cd-torch-'), name);
  writeFileSync(file, content);
  return file;
}
