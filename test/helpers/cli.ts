import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/critic-doctor.js');

export interface CliResult {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real built binary (as users and CI do); `npm test` builds dist/ first. Asynchronous,
 * so the test worker stays responsive while a long training run goes on.
 */
export function cli(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string>; onSpawn?: (pid: number) => void; killAfterMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      // A wide COLUMNS keeps lines whole for the tests that match text; the width tests set their own.
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', COLUMNS: '1000', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    // A run that hangs is killed rather than left behind when its test gives up on it.
    const killer = opts.killAfterMs ? setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs) : undefined;
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code: code ?? -1, signal, stdout, stderr });
    });
  });
}
