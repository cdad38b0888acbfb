import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';

// The suite must leave the temporary folder as it found it: every `cd-*` folder a test makes goes
// through test/helpers/temp-dir.ts, which removes it. New ones at the end fail the run.
const ours = () => new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('cd-') || n.startsWith('critic-doctor-')));

export default function setup(): () => void {
  const before = ours();
  return () => {
    const left = [...ours()].filter((n) => !before.has(n));
    if (left.length)
      throw new Error(`the test suite left ${left.length} temporary folder(s) in ${tmpdir()}: ${left.slice(0, 5).join(', ')}`);
  };
}
