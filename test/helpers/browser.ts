import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { tempDir } from './temp-dir.js';

const run = promisify(execFile);

/** Debian's chromium, when installed (.ci/run installs it). */
export function findChromium(): string | undefined {
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
}

/** Flags for a headless, offline, root-safe Chromium (as this workplace's machines need). */
function flags(): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
    `--user-data-dir=${tempDir('cd-chromium-')}`,
    '--virtual-time-budget=3000',
  ];
}

/** The DOM after the page's scripts ran. */
export async function dumpDom(browser: string, file: string): Promise<string> {
  const { stdout } = await run(browser, [...flags(), '--dump-dom', `file://${file}`], { maxBuffer: 64 << 20, timeout: 60_000 });
  return stdout;
}

/** A PNG screenshot of the page. */
export async function screenshot(browser: string, file: string, png: string, size = '1280,2400'): Promise<void> {
  await run(browser, [...flags(), `--screenshot=${png}`, `--window-size=${size}`, `file://${file}`], { timeout: 60_000 });
}
