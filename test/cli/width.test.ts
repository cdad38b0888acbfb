import { describe, expect, it } from 'vitest';
import { renderCompareTerminal } from '../../src/report/compare-terminal.js';
import { renderRunTerminal } from '../../src/report/terminal.js';
import { renderTreatTerminal } from '../../src/report/treat-render.js';
import { cli } from '../helpers/cli.js';
import { golden } from '../helpers/golden.js';

// Terminal output that fits: at a terminal width (COLUMNS, as a terminal of that width sets it),
// no line of `run`, `compare-activations` or `treat` is longer. Off a TTY, without COLUMNS, 80.
const widest = (s: string) => Math.max(...s.split('\n').map((l) => [...l].length));

describe('terminal output fits the terminal', () => {
  for (const width of [80, 100, 120]) {
    it(`at ${width} columns: run (a NaN, and findings), compare-activations and treat`, () => {
      for (const name of ['run-nan-sgd-relu', 'run-seed-critic-tanh'] as const) {
        const run = renderRunTerminal(golden(name), { width });
        expect(run).toContain('Per-layer health');
        expect(widest(run), run).toBeLessThanOrEqual(width);
      }
      const cmp = renderCompareTerminal(golden('compare-nan-sgd-relu'), { width });
      expect(cmp).toContain('leaky_relu');
      expect(widest(cmp), cmp).toBeLessThanOrEqual(width);
      const treat = renderTreatTerminal(golden('treat-nan-sgd-relu'), { width });
      expect(treat).toContain('g-0.1');
      expect(widest(treat), treat).toBeLessThanOrEqual(width);
    });
  }

  it('the CLI takes the width from COLUMNS, and 80 without it off a terminal', async () => {
    const narrow = await cli(['run', 'configs/nan-sgd-relu.yaml', '--steps', '200'], { env: { COLUMNS: '100' } });
    expect(narrow.code).toBe(1);
    expect(widest(narrow.stdout)).toBeLessThanOrEqual(100);
    expect(widest(narrow.stdout)).toBeGreaterThan(80);
    const plain = await cli(['run', 'configs/nan-sgd-relu.yaml', '--steps', '200'], { env: { COLUMNS: '' } });
    expect(widest(plain.stdout)).toBeLessThanOrEqual(80);
  }, 100_000);
});
