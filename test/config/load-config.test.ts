import { expect, it, describe } from 'vitest';
import { parseConfigText } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/config/errors.js';

const GOOD = `seed: 1
steps: 10
network:
  inputDim: 48
  layers:
    - name: l3
      units: 64
      activation: relu
    - name: l4
      units: 1
data:
  source: synthetic
`;

function fail(text: string): ConfigError {
  try {
    parseConfigText(text, 'c.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('config loader', () => {
  it('fills in the seed defaults: TF1 RMSProp, per-tensor clip 5, xavier, g 1, b 0.1, L1 not added', () => {
    const { config } = parseConfigText(GOOD, 'c.yaml');
    expect(config.optimizer).toEqual({
      type: 'rmsprop',
      lr: 1e-4,
      decay: 0.99,
      momentum: 0,
      epsilon: 1e-6,
      rmsInit: 1,
      epsilonPlacement: 'inside',
    });
    expect(config.clip).toEqual({ mode: 'perTensor', norm: 5 });
    expect(config.network.layers[0]).toMatchObject({ init: 'xavier', gInit: 1, bInit: 0.1, weightNorm: true });
    expect(config.regularization.addToLoss).toBe(false);
    expect(config.watch).toMatchObject({ explosionThreshold: 1e6, stopOnNaN: true, failOn: 'inf' });
  });

  it('reads JSON as well', () => {
    const { config } = parseConfigText(
      JSON.stringify({ network: { inputDim: 3, layers: [{ name: 'v', units: 1 }] }, data: { source: 'synthetic' } }),
      'c.json',
    );
    expect(config.network.inputDim).toBe(3);
  });

  it('an unknown key names its line and suggests the key meant', () => {
    const e = fail(GOOD.replace('      units: 64', '      unitz: 64'));
    expect(e.message).toContain('unknown key "unitz"');
    expect(e.message).toContain('did you mean "units"');
    expect(e.location).toMatchObject({ file: 'c.yaml', line: 7 });
  });

  it('a wrong type names the field path, the line and what was expected', () => {
    const e = fail(GOOD.replace('units: 64', 'units: "sixty-four"'));
    expect(e.location).toMatchObject({ line: 7, path: 'network.layers[0].units' });
    expect(e.message).toMatch(/network\.layers\[0\]\.units: .*expected (number|int)/i);
  });

  it('zero or negative units are refused at their line', () => {
    expect(fail(GOOD.replace('units: 64', 'units: 0')).location).toMatchObject({ line: 7, path: 'network.layers[0].units' });
    expect(fail(GOOD.replace('units: 64', 'units: -3')).message).toMatch(/>\s*0|positive|too small/i);
  });

  it('an absurd layer size is refused before anything is allocated', () => {
    const e = fail(GOOD.replace('units: 64', 'units: 1000000000'));
    expect(e.location.path).toBe('network.layers[0].units');
    expect(e.message).toMatch(/too big|<=\s*65536/i);
  });

  it('a bad enum value lists the allowed ones', () => {
    const e = fail(GOOD.replace('activation: relu', 'activation: rleu'));
    expect(e.location).toMatchObject({ line: 8, path: 'network.layers[0].activation' });
    expect(e.message).toContain('relu');
  });

  it('YAML syntax errors give the line', () => {
    const e = fail('network:\n  inputDim: [1, 2\n  layers: 3\n');
    expect(e.message).toMatch(/syntax error/);
    expect(e.location.line).toBeGreaterThanOrEqual(2);
  });

  it('missing sections are named', () => {
    const e = fail('seed: 1\nnetwork:\n  inputDim: 3\n  layers: [{name: v, units: 1}]\n');
    expect(e.location.path).toBe('data');
  });

  it('the last layer must be the 1-unit value head', () => {
    const e = fail(GOOD.replace('      units: 1\n', '      units: 2\n'));
    expect(e.location).toMatchObject({ path: 'network.layers[1].units', line: 10 });
  });

  it('a residual names an earlier layer of the same width, never on the value layer', () => {
    const three = GOOD.replace('    - name: l4\n', '    - name: l5\n      units: 32\n      residual: RES\n    - name: l4\n');
    const later = fail(three.replace('RES', 'l4'));
    expect(later.message).toContain('l4 is not a layer before l5 (earlier layers: l3)');
    expect(later.location).toMatchObject({ path: 'network.layers[1].residual', line: 11 });
    expect(fail(three.replace('RES', 'l3')).message).toContain('l3 gives 64 units; l5 has 32: a sum needs the same width');
    expect(fail(GOOD.replace('      units: 1\n', '      units: 1\n      residual: l3\n')).message).toContain('nothing is added to it');
    const ok = parseConfigText(three.replace('units: 32', 'units: 64').replace('RES', 'l3'), 'c.yaml');
    expect(ok.config.network.layers[1]!.residual).toBe('l3');
  });

  it('duplicate layer names are refused', () => {
    const e = fail(GOOD.replace('name: l4', 'name: l3'));
    expect(e.message).toContain('already used');
    expect(e.location.line).toBe(9);
  });

  it('an empty file or a non-mapping says what was expected', () => {
    expect(fail('').message).toMatch(/empty/);
    expect(fail('- 1\n- 2\n').message).toMatch(/mapping/);
  });

  it('reports every problem, not only the first', () => {
    const e = fail(GOOD.replace('units: 64', 'units: x').replace('seed: 1', 'sed: 1'));
    expect(e.details.length).toBe(2);
  });
});
