import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Every temporary folder a test file makes; test/clean-temp-dirs.ts (a setup file, so it runs for every
// test file even where vitest shares this module between files) removes them after the file's tests,
// and test/global-setup.ts then checks that the suite left no `cd-*` folder behind.
const made: string[] = [];

/** Removes every folder `tempDir` made in this process so far. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A fresh folder `<tmp>/<prefix>XXXXXX`, removed after this test file's tests. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
