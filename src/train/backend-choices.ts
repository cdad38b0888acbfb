/** The TensorFlow.js backends a run can ask for; auto takes the first that loads (train/backend.ts), in this order after auto. */
export const BACKEND_CHOICES = ['auto', 'node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
