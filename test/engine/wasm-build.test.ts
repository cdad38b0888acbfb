import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { KERNELS_WASM_BASE64 } from '../../src/engine/wasm/kernels-binary.js';
// @ts-expect-error: a plain .mjs build script, no declarations
import { compileKernels } from '../../scripts/build-wasm.mjs';

it('the embedded kernels are what the pinned compiler builds from assembly/ (run `npm run build:wasm` after editing them)', async () => {
  const bytes: Buffer = await compileKernels(fileURLToPath(new URL('../..', import.meta.url)));
  expect(bytes.toString('base64')).toBe(KERNELS_WASM_BASE64);
  // Nothing imported but the memory it is bound to (no host functions).
  expect(WebAssembly.Module.imports(new WebAssembly.Module(Uint8Array.from(bytes)))).toEqual([
    { module: 'env', name: 'memory', kind: 'memory' },
  ]);
}, 60_000);
