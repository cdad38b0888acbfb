// The critic's WebAssembly kernels (src/engine/wasm-kernels.ts loads them). Built by
// scripts/build-wasm.mjs with the pinned AssemblyScript compiler; the binary is embedded in
// src/engine/wasm/kernels-binary.ts and a test rebuilds it from these sources. The memory is
// imported and nothing is stored but at the addresses the caller passes.
export { matmul, transpose } from './matmul';
export { stats, statsMany } from './stats';
export { activate, activateBackward, addInto, denseBackward, denseForward } from './dense';
export { movingAverage, normBackward, normForward } from './norm';
export { bootstrapTarget, huber, mse, returnNormalize } from './loss';
export { adam, clipScale, eigenSumSq, rmsprop, scaleBy, sgd, subtract } from './update';
