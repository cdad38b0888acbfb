import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load-config.js';
import { fromJson } from '../../src/report/json.js';
import type { RunReport } from '../../src/report/run-report.js';
import { REPORT_SCHEMA_VERSION } from '../../src/report/report-header.js';
import { failsUnder } from '../../src/watch/severity.js';
import { cli, type CliResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

/*
 * Every shipped config, trained once, by the real binary, writing every report format: what its
 * comment and docs/shipped-configs.md claim is checked here and only here. Other tests use short
 * configs of their own or the committed golden reports (test/golden/).
 */

interface Shipped {
  r: CliResult;
  rep: RunReport;
  /** The other formats' text: html, md, xml. */
  files: Record<'html' | 'md' | 'xml', string>;
}

async function runShipped(config: string, extra: string[] = []): Promise<Shipped> {
  const dir = tempDir('cd-shipped-');
  const f = (ext: string) => path.join(dir, `r.${ext}`);
  const r = await cli(['run', config, ...extra, '--json', f('json'), '--html', f('html'), '--markdown', f('md'), '--junit', f('xml')]);
  expect(r.stderr, config).toBe('');
  const rep = fromJson<RunReport>(readFileSync(f('json'), 'utf8'));
  const files = { html: readFileSync(f('html'), 'utf8'), md: readFileSync(f('md'), 'utf8'), xml: readFileSync(f('xml'), 'utf8') };
  return { r, rep, files };
}

/** The exit code the run would have had under the config's own watch.failOn (the flag changed it here). */
const ownExit = (rep: RunReport) =>
  failsUnder(rep.verdict.worst, loadConfigFile(rep.configFile!).config.watch.failOn) || rep.earlyWarning !== null ? 1 : 0;

describe('the shipped configs do what their comments and docs/shipped-configs.md say (real training, once each)', () => {
  it("seed-critic-relu: an explosion, first in l4's gradient of the scaler near step 1,900; no NaN/Inf; exit 1", async () => {
    const { r, rep } = await runShipped('configs/seed-critic-relu.yaml');
    expect(r.code).toBe(1);
    expect(rep.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(rep.verdict.worst).toBe('explosion');
    expect(rep.firstEvents.nan).toBeNull();
    expect(rep.firstEvents.inf).toBeNull();
    const e = rep.firstEvents.explosion!;
    expect(e).toMatchObject({ layer: 'l4', phase: 'backward' });
    expect(e.tensor).toMatch(/scaler/);
    expect(e.step).toBeGreaterThanOrEqual(1800);
    expect(e.step).toBeLessThanOrEqual(2000);
    expect(r.stdout).toContain(`at step ${e.step}`);
    expect(r.stdout).toContain(`backend ${rep.environment.backend} `);
  }, 120_000);

  it('seed-critic-elu: the same explosion (elu ≈ relu on large positive inputs); exit 1', async () => {
    // The explosion comes near step 1,900: the rest of the 4,000-step budget adds nothing to this claim.
    const { r, rep } = await runShipped('configs/seed-critic-elu.yaml', ['--steps', '2200', '-q']);
    expect(r.code).toBe(1);
    expect(rep.verdict.worst).toBe('explosion');
    expect(rep.firstEvents.explosion).toMatchObject({ layer: 'l4', phase: 'backward' });
    expect(r.stdout).toMatch(/explosion|exceeded/);
  }, 120_000);

  it('seed-critic-tanh: no event or early warning, l3 100 % saturated (every format); exit 0 by its failOn, 1 by finding', async () => {
    // Saturated from the first steps: 1,000 of its 4,000 steps show it (and keep the suite short).
    const { r, rep, files } = await runShipped('configs/seed-critic-tanh.yaml', ['--fail-on', 'finding', '--steps', '1000']);
    expect(r.code).toBe(1);
    expect(ownExit(rep)).toBe(0);
    expect(rep.verdict).toMatchObject({ worst: null, failed: true, failOn: 'finding' });
    expect(rep.earlyWarning).toBeNull();
    const l3 = rep.findings.find((x) => x.rule === 'saturated-layer' && x.layer === 'l3')!;
    expect(l3.numbers.saturatedFraction).toBeGreaterThan(0.999);
    for (const [k, text] of Object.entries(files)) expect(text, k).toContain(`l3 has been 100 % saturated since step ${l3.firstStep}`);
    expect(r.stdout).toMatch(/✖ No NaN, Inf or \|x\| > 1\.00e6 in 1000 steps, but l3 has been 100 % saturated since step \d+/);
    expect(r.stdout).toContain('Findings');
  }, 120_000);

  it("nan-sgd-relu: NaN at 117 in l3_1's forward x·V after an Inf there; early warning first; NaN tables, every format", async () => {
    const { r, rep, files } = await runShipped('configs/nan-sgd-relu.yaml', ['--fail-on', 'warning']);
    expect(r.code).toBe(1);
    expect(rep.status).toBe('stopped');
    expect(rep.firstEvents.nan).toMatchObject({ step: 117, layer: 'l3_1', phase: 'forward', tensor: 'x·V' });
    expect(rep.firstEvents.inf).toMatchObject({ step: 117, layer: 'l3_1', phase: 'forward', tensor: 'x·V' });
    expect(rep.firstEvents.explosion).toMatchObject({ step: 115, phase: 'loss' });
    // The early warning fires before the first Inf, and predicts an overflow after it fired.
    const w = rep.earlyWarning!;
    expect(w.step).toBeLessThan(rep.firstEvents.inf!.step);
    expect(w.predictedOverflowStep).toBeGreaterThan(w.step);
    expect(rep.verdict.sentence).toContain(`early warning at step ${w.step}`);
    // At the first-NaN step a layer whose gradients are all NaN shows NaN for its gradient norm, not 0, in every format.
    expect(rep.tables.nan!.layers.find((l) => l.layer === 'l4')!.gradNorm).toBeNaN();
    expect(files.html).toMatch(/<td>l4<\/td><td>linear<\/td>(<td>[^<]*<\/td>){3}<td>NaN<\/td>/);
    expect(files.md).toMatch(/\| l4 \| [^|]+ \| NaN \|/);
    expect(files.xml).toMatch(/│ l4 +│ linear +│ [^│]+│ [^│]+│ [^│]+│ NaN +│/);
    // The causal chain's numbers are the history's; the exact op is the overflow.
    const c = rep.causalChain!;
    const at = (step: number) => rep.history.points.find((p) => p.step === step)!;
    expect(c.step).toBe(rep.firstEvents.explosion!.step);
    const d = c.driver!;
    const layer = (step: number) => at(step).layers.find((l) => l.layer === d.layer)!;
    expect(d.from).toBe(d.quantity === 'g' ? layer(d.fromStep).maxAbsG : layer(d.fromStep).normV);
    expect(d.to).toBe(d.quantity === 'g' ? layer(d.toStep).maxAbsG : layer(d.toStep).normV);
    for (const l of at(c.step).layers) {
      const s = at(0).layers.find((x) => x.layer === l.layer)!;
      expect(l.normV! / s.normV!).toBeLessThanOrEqual(Math.abs(d.to / d.from) + 1e-9);
    }
    expect(c.targets).toMatchObject({ from: at(0).maxAbsTarget, to: at(c.step).maxAbsTarget, bootstrapped: true, ranAway: true });
    expect(c.lines.join(' ')).toContain('ran away');
    expect(rep.exactOp!.description).toMatch(/overflow/);
  }, 120_000);

  it('nan-sgd-tanh: finite for 5,000 steps, no early warning, l3 ~97 % saturated; exit 0 under its failOn, 1 under finding', async () => {
    const { r, rep } = await runShipped('configs/nan-sgd-tanh.yaml', ['--fail-on', 'finding', '-q']);
    expect(r.code).toBe(1);
    expect(ownExit(rep)).toBe(0);
    expect(rep.stepsRun).toBe(5000);
    expect(rep.verdict.worst).toBeNull();
    expect(rep.earlyWarning).toBeNull();
    const l3 = rep.findings.find((x) => x.rule === 'saturated-layer' && x.layer === 'l3')!;
    expect(l3.numbers.saturatedFraction).toBeGreaterThan(0.9);
    expect(l3.numbers.saturatedFraction).toBeLessThan(1);
  }, 120_000);

  it('chaotic-sgd-relu: alone healthy (exit 0); replicas one ulp away explode, go NaN or stay healthy: chaotic, exit 1', async () => {
    const { r, rep } = await runShipped('configs/chaotic-sgd-relu.yaml', ['--replicas', '5', '--steps', '1700', '-q']);
    expect(r.code).toBe(1);
    const rb = rep.robustness!;
    expect(rb.class).toBe('chaotic');
    expect(new Set(rb.outcomes.map((o) => o.worst))).toEqual(new Set(['explosion', 'nan', null]));
    expect(rb.sentence).toMatch(/^chaotic: .*: the step is not a property of this config$/);
    // Replica 0 is the lone run: healthy (measured on wasm: replica 1 explodes at 1624, replica 2 is NaN at 1626).
    expect(rb.outcomes[0]).toMatchObject({ worst: null, step: null });
    expect(rb.outcomes[1]).toMatchObject({ worst: 'explosion', step: 1624 });
    expect(rb.outcomes[2]).toMatchObject({ worst: 'nan', step: 1626 });
    expect(rep.verdict.worst).toBeNull();
    expect(ownExit(rep)).toBe(0);
    expect(rep.verdict.sentence).toMatch(/but 1\/5 replicas one ulp away fail \(nan\): see Robustness$/);
  }, 180_000);

  it('nan-return-norm: the NaN is in the loss phase (the normalised target), in no layer; exit 1', async () => {
    const { r, rep } = await runShipped('configs/nan-return-norm.yaml', ['-q']);
    expect(r.code).toBe(1);
    expect(rep.firstEvents.nan).toMatchObject({ phase: 'loss', layer: null, tensor: 'normalized target' });
  }, 120_000);

  it('recorded-cartpole-healthy: healthy with no finding; recorded-cartpole-explodes: NaN within a few steps', async () => {
    const ok = await runShipped('configs/recorded-cartpole-healthy.yaml', ['--fail-on', 'finding', '-q']);
    expect(ok.r.code).toBe(0);
    expect(ok.rep.findings).toEqual([]);
    expect(ok.r.stdout).toMatch(/^✔ Healthy/);
    const bad = await runShipped('configs/recorded-cartpole-explodes.yaml', ['-q']);
    expect(bad.r.code).toBe(1);
    expect(bad.rep.firstEvents.nan!.step).toBeLessThan(50);
    expect(bad.r.stdout).toMatch(/NaN first appeared at step \d+/);
  }, 120_000);

  it('the dataset configs (D4RL, Minari HDF5, LeRobot Parquet, gzip CSV) train healthily; D4RL and Minari are the same run', async () => {
    const losses: Record<string, number[]> = {};
    for (const c of ['recorded-d4rl-cartpole', 'recorded-minari-cartpole', 'recorded-lerobot-cartpole', 'recorded-cartpole-gzip']) {
      const { r, rep } = await runShipped(`configs/${c}.yaml`, ['--steps', '300', '-q']);
      expect(r.code, c).toBe(0);
      expect(rep.stepsRun, c).toBe(300);
      losses[c] = rep.history.points.map((p) => p.loss);
    }
    expect(losses['recorded-minari-cartpole']).toEqual(losses['recorded-d4rl-cartpole']);
  }, 120_000);
});
