import type { ReplayResult } from '../diagnose/replay.js';
import { fmt } from '../util/number-format.js';
import { describePoint } from '../watch/watch-points.js';
import { plainPalette, type Palette } from './palette.js';

/** `critic-doctor replay`'s output: the event the dump expects, what the replay gave, whether it matched, the exact op. */
export function renderReplayText(dir: string, r: ReplayResult, p: Palette = plainPalette): string {
  const want = r.manifest.event;
  const out = [
    `${p.bold('critic-doctor replay')} ${dir}: step ${r.manifest.step}, expecting the first ${want.kind} in ` +
      `${describePoint(want)} (${want.count} entries, max |x| ${fmt(want.maxAbs)})`,
  ];
  if (r.event)
    out.push(`  replayed: ${r.event.kind} in ${describePoint(r.event)} (${r.event.count} entries, max |x| ${fmt(r.event.maxAbs)})`);
  else out.push(`  replayed: no ${want.kind} in this step`);
  out.push(
    r.reproduced
      ? `${p.success('✔')} reproduced bit for bit`
      : `${p.error('✖')} NOT reproduced (another backend or version than the dump's?)`,
  );
  if (r.exactOp) out.push(`  ${r.exactOp.description}`);
  return `${out.join('\n')}\n`;
}
