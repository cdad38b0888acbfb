import { importPeer, tf } from '../util/tfjs.js';
import { KnownError } from '../config/errors.js';
import type { BackendChoice } from './backend-choices.js';

/** What the run used, for the report header. */
export interface BackendInfo {
  /** The choice that loaded: node-gpu | node | wasm | cpu. */
  name: Exclude<BackendChoice, 'auto'>;
  /** tfjs's own name for it: tensorflow | wasm | cpu. */
  tfjsBackend: string;
  tfjsVersion: string;
  /** Why each earlier choice of `auto` did not load. */
  skipped: { name: string; reason: string }[];
}

/** `auto` tries these in order and takes the first that loads. */
const AUTO_ORDER: Exclude<BackendChoice, 'auto'>[] = ['node-gpu', 'node', 'wasm', 'cpu'];

/** The backend asked for cannot run here: a usage problem (exit 2), not an engine failure. */
export class BackendError extends KnownError {
  readonly kind = 'usage' as const;
  override readonly name = 'BackendError';
}

/**
 * Loads and activates a tfjs backend. The native ones (`@tensorflow/tfjs-node[-gpu]`) are
 * optional dependencies that are absent where libtensorflow could not be downloaded at install
 * time; `auto` then falls back to the embedded wasm backend.
 */
export async function selectBackend(choice: BackendChoice): Promise<BackendInfo> {
  // PROD silences tfjs's own console output (its "install the node backend" banner, warnings):
  // the core never prints; everything the user should know goes into the report.
  tf.env().set('PROD', true);
  const order = choice === 'auto' ? AUTO_ORDER : [choice];
  const skipped: BackendInfo['skipped'] = [];
  for (const name of order) {
    try {
      const tfjsBackend = await activate(name);
      return { name, tfjsBackend, tfjsVersion: tf.version.tfjs, skipped };
    } catch (e) {
      skipped.push({ name, reason: firstLine(e) });
    }
  }
  const why = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  if (choice === 'auto') throw new BackendError(`no usable TensorFlow.js backend (${why})`);
  const others = await loadableBackends(choice);
  const can = others.length ? `backends that load here: ${others.join(', ')} (or --backend auto)` : 'no other backend loads here either';
  throw new BackendError(`--backend ${choice} is not available (${why}); ${can}`);
}

/** The backends other than `except` whose packages import here (without switching to them). */
async function loadableBackends(except: BackendChoice): Promise<string[]> {
  const out: string[] = [];
  for (const name of AUTO_ORDER) {
    if (name === except) continue;
    try {
      if (name === 'node-gpu') await importOptional('@tensorflow/tfjs-node-gpu');
      else if (name === 'node') await importOptional('@tensorflow/tfjs-node');
      else if (name === 'wasm') await importPeer('@tensorflow/tfjs-backend-wasm');
      out.push(name);
    } catch {
      // not loadable: left out of the list
    }
  }
  return out;
}

async function activate(name: Exclude<BackendChoice, 'auto'>): Promise<string> {
  let tfjsName: string;
  switch (name) {
    case 'node-gpu':
      await importOptional('@tensorflow/tfjs-node-gpu');
      tfjsName = 'tensorflow';
      break;
    case 'node':
      await importOptional('@tensorflow/tfjs-node');
      tfjsName = 'tensorflow';
      break;
    case 'wasm':
      await importPeer('@tensorflow/tfjs-backend-wasm');
      tfjsName = 'wasm';
      break;
    case 'cpu':
      tfjsName = 'cpu';
      break;
  }
  if (tf.getBackend() !== tfjsName || !tf.findBackend(tfjsName)) {
    const ok = await tf.setBackend(tfjsName);
    if (!ok) throw new Error(`backend ${tfjsName} failed to initialise`);
  }
  await tf.ready();
  return tfjsName;
}

/** Imports a package that may not be installed, without letting TypeScript require its types. */
async function importOptional(pkg: string): Promise<unknown> {
  try {
    return await importPeer(pkg);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND')
      throw new Error(`${pkg} is not installed (an optional peer dependency: npm install ${pkg}@4.22.0)`, { cause: e });
    throw e;
  }
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}
