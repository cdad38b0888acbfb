import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/config/errors.js';
import { CompareOptionsSchema } from '../../src/cli/compare-activations.js';
import { buildProgram } from '../../src/cli/index.js';
import { parseOptions } from '../../src/cli/options.js';
import { TreatOptionsSchema } from '../../src/cli/treat.js';
import { RunOptionsSchema } from '../../src/cli/run.js';
import { MergeOptionsSchema } from '../../src/cli/merge.js';
import { LintOptionsSchema } from '../../src/cli/lint.js';
import { ReplayOptionsSchema } from '../../src/cli/replay.js';
import { RenderOptionsSchema } from '../../src/cli/render.js';
import { InitOptionsSchema } from '../../src/cli/init.js';

/** The message parseOptions gives for these raw (commander-shaped) options, or null when they are good. */
function refusal(schema: Parameters<typeof parseOptions>[0], raw: Record<string, unknown>): string | null {
  try {
    parseOptions(schema, raw);
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
}

describe('command options', () => {
  it('each command declares each flag once: its commander options are exactly the keys of its strict schema', () => {
    const schemas: Record<string, { shape: Record<string, unknown> }> = {
      run: RunOptionsSchema,
      'compare-activations': CompareOptionsSchema,
      treat: TreatOptionsSchema,
      merge: MergeOptionsSchema,
      lint: LintOptionsSchema,
      replay: ReplayOptionsSchema,
      render: RenderOptionsSchema,
      init: InitOptionsSchema,
    };
    const program = buildProgram();
    for (const [name, schema] of Object.entries(schemas)) {
      const cmd = program.commands.find((c) => c.name() === name)!;
      const options = [...new Set(cmd.options.map((o) => o.attributeName()))].sort();
      expect(options, name).toEqual(Object.keys(schema.shape).sort());
    }
    // --debug is the program's, read once by main.ts.
    expect(program.options.map((o) => o.long)).toContain('--debug');
  });

  it('checks that need no config fail in the schema, naming the flag', () => {
    expect(refusal(CompareOptionsSchema, { activations: 'relu,rleu' })).toMatch(
      /^--activations: unknown activation "rleu"; valid: relu, elu, tanh, linear, leaky_relu/,
    );
    expect(refusal(CompareOptionsSchema, { activations: 'relu,tanh', expectHealthy: 'elu' })).toBe(
      '--expect-healthy: unknown activation (not among --activations) "elu"; valid: relu, tanh',
    );
    expect(refusal(CompareOptionsSchema, { shard: '3/2' })).toBe('--shard: expected 1 ≤ i ≤ n');
    expect(refusal(CompareOptionsSchema, { shard: 'half' })).toBe('--shard: expected i/n, e.g. 1/2');
    expect(refusal(CompareOptionsSchema, { seeds: '2', seedList: '1,2' })).toBe('--seeds: give --seeds or --seed-list, not both');
    expect(refusal(TreatOptionsSchema, { seedList: '1,x' })).toBe('--seed-list: is not a seed (a whole number ≥ 0)');
    expect(refusal(TreatOptionsSchema, { seedList: '1,2,1' })).toBe('--seed-list: a seed is repeated');
    expect(refusal(TreatOptionsSchema, { remedies: 'he-init,prayer' })).toMatch(/^--remedies: unknown remedy "prayer"; valid: he-init, /);
    expect(refusal(RunOptionsSchema, { steps: 'many' })).toBe('--steps: expected a whole number');
  });

  it('good options parse to their values; what is not given takes its default', () => {
    expect(parseOptions(CompareOptionsSchema, { activations: 'relu, tanh', seedList: '4,0', shard: '1/2' })).toMatchObject({
      activations: ['relu', 'tanh'],
      seedList: [4, 0],
      shard: { index: 1, count: 2 },
      backend: 'auto',
      quiet: false,
    });
    expect(parseOptions(RunOptionsSchema, {}).progress).toBeUndefined();
    expect(parseOptions(RunOptionsSchema, { progress: false }).progress).toBe(false);
  });
});
