import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64 } from '../../src/engine/wasm/kernels-binary.js';
// @ts-expect-error: a plain .mjs build script, no declarations
import { compileKernels } from '../../scripts/build-wasm.mjs';

it('the embedded kernels are what the pinned compiler builds from assembly/ (run `npm run build:wasm` after editing them)', async () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const bytes: Buffer = await compileKernels(root);
  const shared: Buffer = await compileKernels(root, true);
  expect(bytes.toString('base64')).toBe(KERNELS_WASM_BASE64);
  expect(shared.toString('base64')).toBe(KERNELS_SHARED_WASM_BASE64);
  // Nothing imported but the memory it is bound to (no host functions); the second build's memory is shared.
  expect(WebAssembly.Module.imports(new WebAssembly.Module(Uint8Array.from(bytes)))).toEqual([
    { module: 'env', name: 'memory', kind: 'memory' },
  ]);
  expect(WebAssembly.Module.imports(new WebAssembly.Module(Uint8Array.from(shared)))).toEqual([
    { module: 'env', name: 'memory', kind: 'memory' },
  ]);
  expect(
    () =>
      new WebAssembly.Instance(new WebAssembly.Module(Uint8Array.from(shared)), {
        env: { memory: new WebAssembly.Memory({ initial: 1 }) },
      }),
  ).toThrow();
}, 60_000);
