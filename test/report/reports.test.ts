import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load-config.js';
import { initConfigText } from '../../src/config/init-template.js';
import { configJsonSchema } from '../../src/report/json-schema.js';
import { renderRunAnnotations } from '../../src/report/github.js';
import { renderReport } from '../../src/report/index.js';
import type { RunReport } from '../../src/report/run-report.js';
import { dumpDom, findChromium, screenshot } from '../helpers/browser.js';
import { buildProgram } from '../../src/cli/index.js';
import { cli, ROOT } from '../helpers/cli.js';
import { golden, goldenPath } from '../helpers/golden.js';
import { tempDir } from '../helpers/temp-dir.js';

const tmp = () => tempDir('cd-rep-');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');

describe('reports', () => {
  it('render writes HTML, Markdown, JUnit and JSON from a saved run report: what the reporters give, the JSON byte for byte', async () => {
    const dir = tmp();
    const f = (n: string) => path.join(dir, n);
    const src = goldenPath('run-nan-sgd-relu');
    const r = await cli(['render', src, '--json', f('r.json'), '--html', f('r.html'), '--markdown', f('r.md'), '--junit', f('r.xml')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rep = golden('run-nan-sgd-relu');
    expect(readFileSync(f('r.json'), 'utf8')).toBe(readFileSync(src, 'utf8'));
    for (const [file, format] of [
      ['r.html', 'html'],
      ['r.md', 'markdown'],
      ['r.xml', 'junit'],
    ] as const)
      expect(readFileSync(f(file), 'utf8'), file).toBe(renderReport(rep, format));
    // JUnit shape: testsuites > testsuite > testcase > failure carrying the verdict.
    const xml = readFileSync(f('r.xml'), 'utf8');
    expect(xml).toMatch(
      new RegExp(
        '^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<testsuites [^>]*tests="1" failures="1"[^>]*>\\n' +
          ' {2}<testsuite [^>]*>\\n {4}<testcase [^>]*>\\n {6}<failure message="[^"]+"',
      ),
    );
    expect(xml).toContain(`message="${rep.verdict.sentence.replace(/>/g, '&gt;')}"`);
    expect(xml.match(/<testsuite /g)).toHaveLength(1);
    expect(xml.trim().endsWith('</testsuites>')).toBe(true);
    // The HTML is self-contained: no network references.
    const html = readFileSync(f('r.html'), 'utf8');
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(html).toContain(rep.verdict.sentence.replace(/>/g, '&gt;'));
    expect(readFileSync(f('r.md'), 'utf8')).toContain('| nan | 117 |');
  });

  it('the HTML report renders in headless Chromium: charts drawn (NaN points too), verdict visible (screenshot kept)', async (ctx) => {
    const browser = findChromium();
    if (!browser) {
      ctx.skip(); // no browser installed: .ci/run installs Debian's chromium, so CI runs this
      return;
    }
    const html = path.join(tmp(), 'r.html');
    writeFileSync(html, renderReport(golden('run-nan-sgd-relu'), 'html'));
    const dom = await dumpDom(browser, html);
    expect(dom).toMatch(/data-charts-drawn="5"/);
    expect(dom).toMatch(/data-verdict-visible="true"/);
    mkdirSync(ARTIFACTS, { recursive: true });
    const png = path.join(ARTIFACTS, 'run-report.png');
    await screenshot(browser, html, png);
    expect(statSync(png).size).toBeGreaterThan(20_000);
  }, 300_000);

  it('GitHub annotations point at the config file and the failing layer line', async () => {
    const dir = tmp();
    const summary = path.join(dir, 'summary.md');
    writeFileSync(summary, '');
    const r = await cli(['run', 'configs/nan-sgd-relu.yaml', '-q'], { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(1);
    // l3_1 is on line 32 of configs/nan-sgd-relu.yaml.
    const text = readFileSync(path.join(ROOT, 'configs/nan-sgd-relu.yaml'), 'utf8').split('\n');
    const line = text.findIndex((l) => l.includes('name: l3_1')) + 1;
    expect(r.stdout).toContain(
      `::error file=configs/nan-sgd-relu.yaml,line=${line},title=critic-doctor%3A nan in l3_1::NaN first appeared at step 117`,
    );
    expect(readFileSync(summary, 'utf8')).toContain('### ❌ critic-doctor run: nan-sgd-relu');
    // Without GITHUB_ACTIONS nothing of the kind is printed.
    const plain = await cli(['run', 'configs/nan-sgd-relu.yaml', '-q'], { env: { GITHUB_ACTIONS: '' } });
    expect(plain.stdout).not.toContain('::error');
  });

  it('a warning (trouble below --fail-on) is annotated as ::warning; a loss-phase event points at line 1', () => {
    const base = {
      verdict: {
        worst: 'nan',
        failed: false,
        failOn: 'none',
        sentence: 'NaN first appeared at step 3: loss, target',
        event: { kind: 'nan', step: 3, phase: 'loss', layer: null, tensor: 'target', count: 1, size: 8, maxAbs: 1, previousMaxAbs: 1 },
      },
      configFile: '/w/c.yaml',
      layerLines: { l1: 9 },
    } as unknown as RunReport;
    expect(renderRunAnnotations(base, '/w')).toBe(
      '::warning file=c.yaml,line=1,title=critic-doctor%3A nan in loss::NaN first appeared at step 3: loss, target\n',
    );
  });

  it('init writes a commented seed config that validates, and refuses to overwrite without --force', async () => {
    const dir = tmp();
    const out = path.join(dir, 'c.yaml');
    expect((await cli(['init', '--activation', 'elu', '--out', out])).code).toBe(0);
    const loaded = parseConfigText(readFileSync(out, 'utf8'), out);
    expect(loaded.config.network.layers.map((l) => l.activation)).toEqual(['elu', 'elu', 'elu', 'linear', 'linear']);
    const again = await cli(['init', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
    expect((await cli(['init', '--out', out, '--force'])).code).toBe(0);
    // The template is the shipped seed config's critic and training.
    const shipped = parseConfigText(readFileSync(path.join(ROOT, 'configs/seed-critic-relu.yaml'), 'utf8')).config;
    const fromInit = parseConfigText(initConfigText('relu', 'x')).config;
    expect({ ...fromInit, name: '' }).toEqual({ ...shipped, name: '' });
  });

  it('schema prints the config JSON Schema (the committed copy is current); report-schema the reports one', async () => {
    const s = await cli(['schema']);
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout)).toEqual(configJsonSchema());
    expect(readFileSync(path.join(ROOT, 'schema/config.schema.json'), 'utf8')).toBe(s.stdout);
    const rs = await cli(['report-schema']);
    expect(rs.code).toBe(0);
    const schema = JSON.parse(rs.stdout) as { oneOf: { properties: Record<string, unknown> }[] };
    expect(Object.keys(schema.oneOf[0]!.properties)).toContain('firstEvents');
    // One entry per report kind: run, compare-activations, treat.
    const commands = schema.oneOf.map((s) => (s.properties.command as { const?: string }).const);
    expect(commands).toEqual(['run', 'compare-activations', 'treat']);
    expect(Object.keys(schema.oneOf[2]!.properties)).toEqual(expect.arrayContaining(['rows', 'remedySteps', 'best', 'status']));
    expect(rs.stdout).toContain('"NaN"');
  });

  it('every command has an example in --help; unknown commands suggest the nearest', async () => {
    // In this process, as the binary prints it (the binary's own --help: test/cli/run.test.ts).
    const program = buildProgram();
    expect(program.commands.map((c) => c.name()).sort()).toEqual(
      ['compare-activations', 'init', 'inspect', 'lint', 'merge', 'render', 'replay', 'report-schema', 'run', 'schema', 'treat'].sort(),
    );
    for (const c of program.commands) {
      let help = '';
      c.configureOutput({ writeOut: (t) => (help += t) });
      c.outputHelp();
      expect(help, c.name()).toMatch(/Examples?:\n {2}\$ critic-doctor /);
    }
    const u = await cli(['compare-activation', 'x']);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('compare-activations');
  });
});
