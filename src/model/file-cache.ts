import { statSync } from 'node:fs';

/**
 * A file's identity for a read cache: its path, modification time and size ("missing" where it
 * cannot be stat'ed). `run` reads a model or weights file several times — the config loader's
 * checks, the weights, the optimizer state, the target networks — and each read after the first is
 * the first's while the file is unchanged.
 */
export function statKey(file: string): string {
  try {
    const st = statSync(file);
    return `${file}\0${st.mtimeMs}:${st.size}`;
  } catch {
    return `${file}\0missing`;
  }
}

/** `read(file)` once per unchanged file; a read that throws is not kept, so it throws again. */
export function cachedRead<T>(cache: Map<string, T>, file: string, read: () => T): T {
  const key = statKey(file);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const value = read();
  cache.set(key, value);
  return value;
}
