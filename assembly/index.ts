// The critic's WebAssembly kernels (src/engine/wasm-kernels.ts loads them). Built by
// scripts/build-wasm.mjs with the pinned AssemblyScript compiler; the binary is embedded in
// src/engine/wasm/kernels-binary.ts and a test rebuilds it from these sources.
export { matmul, transpose } from './matmul';

/** First free byte: the JS side lays its buffers out from here (the module has no static data). */
export function heapBase(): usize {
  return __heap_base;
}
