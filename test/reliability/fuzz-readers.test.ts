import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isKnownError } from '../../src/config/errors.js';
import { readOnnx } from '../../src/model/onnx-model.js';
import { readStateDict } from '../../src/model/state-dict.js';
import { readSavedCritic } from '../../src/model/saved-model.js';
import { readTfCheckpoint } from '../../src/model/tf-checkpoint.js';
import { cli, ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

// Every model reader against damaged copies of real and fixture files (truncated anywhere, bytes
// flipped, declared sizes and dimensions inflated, a region repeated): each case must end in the
// reader's one way to refuse — a ConfigError, which the CLI prints as one line with exit 2 — or
// in a model, never in any other exception. `FUZZ_RUNS` (npm run fuzz -- --runs N) sets the cases
// per reader; `npm test` runs a few dozen each.
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const SEED = Number(process.env.FUZZ_SEED ?? 20261205);
const PROCESS_RUNS = Number(process.env.FUZZ_PROCESS_RUNS ?? 3);

type Reader = (file: string) => unknown;
// HDF5 files go through h5wasm, whose C library can abort() on a damaged file and is not to be
// trusted afterwards: those cases run as the CLI does, one process each (a few in npm test).
const IN_A_PROCESS: [string, string, string][] = [
  ['keras .h5 (tf.keras 2)', 'fixtures/keras/critic-adam-keras2.h5', ''],
  ['keras .h5 (Keras 3 legacy functional)', 'fixtures/keras/q-critic-keras36.h5', ', inputs: { state: obs, action: act }'],
  ['keras .keras', 'fixtures/keras/critic-keras3.keras', ''],
  ['real Keras 3 .keras', '../shared/real-models/churn-ann.keras', ''],
];
const READERS: [string, string, Reader][] = [
  ['onnx', 'fixtures/torch/sac-q.onnx', readOnnx],
  // Read to the critic: the ONNX graph, then its folding into the chain (a residual Add among its nodes).
  ['onnx critic (residual)', 'fixtures/residual/residual-critic.onnx', (f) => readSavedCritic(f)],
  ['state_dict (zip)', 'fixtures/torch/ppo-critic.pt', readStateDict],
  ['state_dict (legacy)', 'fixtures/torch/ppo-critic-legacy.pt', readStateDict],
  ['SB3 zip', 'fixtures/torch/sb3-ppo.zip', readStateDict],
  ['safetensors', 'fixtures/safetensors/ppo-critic.safetensors', readStateDict],
  ['pickled module (torch.save(critic))', 'fixtures/torch-modules/ppo-module.pt', readStateDict],
  ['pickled module (legacy)', 'fixtures/torch-modules/ppo-module-legacy.pt', readStateDict],
  ['TorchScript', 'fixtures/torch-modules/ppo-script.pt', readStateDict],
  ['Flax msgpack (TrainState)', 'fixtures/flax/ppo-train-state.msgpack', readStateDict],
  ['tfjs model.json', 'fixtures/tfjs/model.json', (f) => readSavedCritic(beside(f, 'model.json', 'weights.bin'))],
  ['tfjs weights.bin', 'fixtures/tfjs/weights.bin', (f) => readSavedCritic(beside(f, 'weights.bin', 'model.json'))],
  ['Flax msgpack (chunked)', 'fixtures/flax/ppo-chunked.msgpack', readStateDict],
  ['TF checkpoint index', 'fixtures/tf1-seed/seed-critic.index', (f) => readTfCheckpoint(f.replace(/\.index$/, ''))],
];

/**
 * A tfjs model's folder of its own for one case: the damaged `as` (model.json or weights.bin) and
 * the fixture's other file beside it; the folder's model.json (a new path each case: no cache hit).
 */
function beside(damaged: string, as: string, other: string): string {
  const dir = `${damaged}.d`;
  mkdirSync(dir);
  copyFileSync(damaged, path.join(dir, as));
  copyFileSync(path.join(ROOT, 'fixtures/tfjs', other), path.join(dir, other));
  return path.join(dir, 'model.json');
}

/** A damaged copy of `bytes`: one of the mutations a broken download or a hostile author makes. */
const mutation = (n: number) =>
  fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(n) }),
    fc.record({
      kind: fc.constant('flip' as const),
      at: fc.array(fc.nat(n - 1), { minLength: 1, maxLength: 8 }),
      mask: fc.integer({ min: 1, max: 255 }),
    }),
    fc.record({ kind: fc.constant('huge' as const), at: fc.nat(Math.max(0, n - 8)), byte: fc.constantFrom(0xff, 0x7f, 0x80) }),
    fc.record({
      kind: fc.constant('repeat' as const),
      at: fc.nat(n - 1),
      len: fc.integer({ min: 1, max: 4096 }),
      times: fc.integer({ min: 2, max: 64 }),
    }),
  );

type Mutation = ReturnType<typeof mutation> extends fc.Arbitrary<infer M> ? M : never;

function apply(bytes: Uint8Array, m: Mutation): Uint8Array {
  switch (m.kind) {
    case 'truncate':
      return bytes.subarray(0, m.at);
    case 'flip': {
      const out = Uint8Array.from(bytes);
      for (const i of m.at) out[i] = out[i]! ^ m.mask;
      return out;
    }
    case 'huge': {
      // A declared size or dimension inflated: eight bytes of 0xff (or 0x7f…, 0x80…) anywhere.
      const out = Uint8Array.from(bytes);
      out.fill(m.byte, m.at, m.at + 8);
      return out;
    }
    case 'repeat': {
      const piece = bytes.subarray(m.at, m.at + m.len);
      return Uint8Array.from([
        ...bytes.subarray(0, m.at),
        ...Array.from({ length: m.times }, () => [...piece]).flat(),
        ...bytes.subarray(m.at),
      ]);
    }
  }
}

describe('every model reader refuses damaged files with one clear error, never another exception', () => {
  for (const [name, fixture, read] of READERS) {
    it(`${name}: ${RUNS} damaged copies of ${path.basename(fixture)}`, async () => {
      const bytes = readFileSync(path.join(ROOT, fixture));
      const dir = tempDir('cd-fuzz-');
      const ext = path.basename(fixture).replace(/^[^.]*/, '');
      let n = 0;
      await fc.assert(
        fc.asyncProperty(mutation(bytes.length), async (m) => {
          const file = path.join(dir, `case${n++}${ext}`);
          writeFileSync(file, apply(bytes, m));
          if (ext === '.index')
            writeFileSync(
              file.replace(/\.index$/, '.data-00000-of-00001'),
              readFileSync(path.join(ROOT, 'fixtures/tf1-seed/seed-critic.data-00000-of-00001')),
            );
          try {
            await read(file);
          } catch (e) {
            if (!isKnownError(e)) throw new Error(`${m.kind} ${JSON.stringify(m)}: ${(e as Error).stack ?? String(e)}`, { cause: e });
            expect((e as Error).message.split('\n')).toHaveLength(1);
          }
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    }, 300_000);
  }

  for (const [name, fixture, inputs] of IN_A_PROCESS) {
    const source = path.join(ROOT, fixture);
    it.skipIf(!existsSync(source))(
      `${name}: ${PROCESS_RUNS} damaged copies of ${path.basename(fixture)}, each a CLI run`,
      async () => {
        const bytes = readFileSync(source);
        const dir = tempDir('cd-fuzz-');
        let n = 0;
        await fc.assert(
          fc.asyncProperty(mutation(bytes.length), async (m) => {
            const file = path.join(dir, `case${n++}${path.extname(fixture)}`);
            writeFileSync(file, apply(bytes, m));
            const config = path.join(dir, `c${n}.yaml`);
            writeFileSync(config, `steps: 1\nnetwork: { model: ${file}${inputs} }\ndata: { source: synthetic, transitions: 64 }\n`);
            const started = Date.now();
            const r = await cli(['run', config, '--no-progress'], { killAfterMs: 60_000 });
            const seconds = (Date.now() - started) / 1000;
            // A damaged copy may still hold a model (0 or 1 then), or be refused: 2 with one line, no stack.
            const why = `${JSON.stringify(m)}: exit ${r.code} after ${seconds} s: ${r.stderr.slice(0, 400)}`;
            expect([0, 1, 2], why).toContain(r.code);
            // (Node's own warnings about the environment, e.g. NO_COLOR beside FORCE_COLOR, are not ours.)
            const lines = r.stderr
              .trim()
              .split('\n')
              .filter((l) => !/^\(node:\d+\) Warning|^\(Use `node/.test(l));
            if (r.code === 2) expect(lines, why).toHaveLength(1);
            expect(r.stderr, why).not.toMatch(/\n\s+at /);
            expect(seconds, why).toBeLessThan(30);
          }),
          { numRuns: PROCESS_RUNS, seed: SEED, endOnFailure: true },
        );
      },
      600_000,
    );
  }
});
