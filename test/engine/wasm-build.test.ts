import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { KERNELS_WASM_BASE64 } from '../../src/engine/wasm/kernels-binary.js';
// @ts-expect-error: a plain .mjs build script, no declarations
import { compileKernels } from '../../scripts/build-wasm.mjs';

it('the embedded kernels are what the pinned compiler builds from assembly/ (run `npm run build:wasm` after editing them)', async () => {
  const bytes: Buffer = await compileKernels(fileURLToPath(new URL('../..', import.meta.url)));
  expect(bytes.toString('base64')).toBe(KERNELS_WASM_BASE64);
  // Nothing imported (no host functions, no shared memory): the module computes alone.
  expect(WebAssembly.Module.imports(new WebAssembly.Module(bytes))).toEqual([]);
}, 60_000);
