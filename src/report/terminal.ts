import type { FirstEvent } from '../watch/events.js';
import type { HistoryPoint } from '../watch/history.js';
import type { LayerHealth } from '../watch/layer-health.js';
import { LAYER_COLUMNS, findingText, inactivityText } from './format.js';
import { fmt } from '../util/number-format.js';
import { plainPalette, type Palette } from './palette.js';
import { sparkline } from './sparkline.js';
import { fitTable, wrapText, type Column } from './fit.js';
import type { RunReport } from './run-report.js';
import { replicaLine } from '../diagnose/robustness.js';

export interface TerminalOptions {
  palette?: Palette;
  /** Only the verdict line. */
  quiet?: boolean;
  /** Fit the output to this many columns (the CLI passes the terminal's; unlimited when absent). */
  width?: number;
}

const EVENT_LABEL = { nan: 'NaN', inf: 'Inf', explosion: 'explosion' } as const;

/** The terminal summary of a run: header, verdict, first events, per-layer tables. */
export function renderRunTerminal(r: RunReport, opts: TerminalOptions = {}): string {
  const p = opts.palette ?? plainPalette;
  const mark = r.verdict.failed ? p.error('✖') : r.verdict.worst ? p.warn('!') : r.findings.length ? p.warn('⚠') : p.success('✔');
  const verdictLine = `${mark} ${r.verdict.failed ? p.bold(r.verdict.sentence) : r.verdict.sentence}`;
  const W = opts.width ?? Infinity;
  if (opts.quiet) return `${wrapText(verdictLine, W)}\n`;
  const out: string[] = [];
  const c = r.config;
  out.push(`${p.bold('critic-doctor run')} ${r.configFile}${c.name ? p.dim(` (${c.name})`) : ''}`);
  out.push(
    p.dim(
      `  backend ${r.environment.backend} (tfjs ${r.environment.tfjsVersion}) · seed ${r.seed} · ` +
        `${r.stepsRun}/${r.stepsRequested} steps` +
        ` · ${r.timing.seconds.toFixed(1)} s (${r.timing.stepsPerSecond.toFixed(0)} steps/s)` +
        (r.status !== 'completed' ? ` · ${r.status}${r.stopDetail ? `: ${r.stopDetail}` : ''}` : ''),
    ),
  );
  const layers = c.network.layers.map((l) => `${l.name} ${l.units} ${l.activation}`);
  out.push(p.dim(`  critic: ${c.network.inputDim} → ${layers.join(' → ')}`));
  out.push(p.dim(`  training: ${describeOptimizer(r)} · data: ${r.data}`));
  const warnings = r.lint.filter((f) => f.severity === 'warning');
  if (warnings.length) {
    out.push('');
    out.push(`${p.bold('Lint')} ${p.dim(`(${warnings.length} warning${warnings.length > 1 ? 's' : ''}; critic-doctor lint for details)`)}`);
    for (const f of warnings)
      out.push(`  ${p.warn('!')} ${f.line !== undefined ? p.dim(`line ${f.line}: `) : ''}${f.message} ${p.dim(`→ remedy ${f.remedy}`)}`);
  }
  out.push('');
  out.push(verdictLine);
  out.push(p.dim(`  fails on: ${r.verdict.failOn === 'none' ? 'nothing (--fail-on none)' : failOnText(r.verdict.failOn)}`));

  if (r.robustness) {
    const rb = r.robustness;
    out.push('');
    out.push(`${p.bold('Robustness')} ${p.dim(`(${rb.replicas} replicas, initial parameters nudged by one float32 ulp)`)}`);
    out.push(`  ${rb.class === 'chaotic' ? p.warn('⚠') : p.info('·')} ${rb.sentence}`);
    out.push(p.dim(`  ${replicaLine(rb)}`));
  }
  if (r.findings.length) {
    out.push('');
    out.push(`${p.bold('Findings')} ${p.dim('(silent failures: no NaN needed)')}`);
    for (const f of r.findings) out.push(`  ${p.warn('⚠')} ${findingText(f)}`);
  }
  if (r.causalChain) {
    out.push('');
    out.push(p.bold('How it got there'));
    for (const l of r.causalChain.lines) out.push(`  ${l}`);
  }
  if (r.exactOp) {
    out.push('');
    out.push(
      `${p.bold('Exact op')} ` +
        p.dim(`(step ${r.exactOp.step} replayed from the state before it, ${r.exactOp.reproduced ? '' : 'NOT '}reproduced bit for bit)`),
    );
    out.push(`  ${r.exactOp.description}`);
  }
  const events = (['explosion', 'inf', 'nan'] as const).map((k) => r.firstEvents[k]).filter((e): e is FirstEvent => e !== null);
  if (events.length) {
    out.push('');
    out.push(p.bold('First events'));
    const columns = [
      { head: 'event' },
      { head: 'step' },
      { head: 'layer' },
      { head: 'phase' },
      { head: 'tensor' },
      { head: 'bad entries', short: 'bad', drop: 1 },
      { head: 'max |x| (finite)', short: 'max |x|', drop: 2 },
      { head: 'max |x| step before', short: 'before', drop: 0 },
    ];
    const rows = events.map((e) => [
      EVENT_LABEL[e.kind],
      String(e.step),
      e.layer ?? '–',
      e.phase,
      e.tensor,
      `${e.count}/${e.size}`,
      fmt(e.maxAbs),
      fmt(e.previousMaxAbs),
    ]);
    out.push(fitTable(columns, rows, W));
  }
  if (r.history.points.length > 1) {
    out.push('');
    out.push(
      `${p.bold('max |activation| over steps')} ` +
        p.dim(`(log scale, steps 0–${r.history.points[r.history.points.length - 1]!.step}; ✕ = NaN/Inf)`),
    );
    const width = Math.max(...r.config.network.layers.map((l) => l.name.length));
    for (const l of r.config.network.layers) {
      const ys = r.history.points.map((pt) => pt.layers.find((x) => x.layer === l.name)?.maxAbsActivation ?? NaN);
      const ends = `${fmt(ys[0])} → ${fmt(ys[ys.length - 1])}`;
      // The sparkline takes what the name and the two end values leave of the line (at most 40).
      const room = Math.max(8, Math.min(40, W - width - ends.length - 6));
      out.push(`  ${l.name.padEnd(width)}  ${sparkline(ys, room)}  ${p.dim(ends)}`);
    }
  }
  const tables: [string, HistoryPoint | null][] = [];
  if (r.verdict.worst) {
    tables.push([`Per-layer health at step ${r.tables.lastHealthy?.step ?? '–'} (last healthy)`, r.tables.lastHealthy]);
    const failing = r.tables[r.verdict.worst];
    tables.push([`Per-layer health at step ${failing?.step ?? '–'} (first ${EVENT_LABEL[r.verdict.worst]})`, failing]);
  } else {
    tables.push([`Per-layer health at the last step (${r.tables.last?.step ?? '–'})`, r.tables.last]);
  }
  for (const [title, snap] of tables) {
    if (!snap) continue;
    out.push('');
    out.push(`${p.bold(title)}  ${p.dim(`loss ${fmt(snap.loss)}, max |target| ${fmt(snap.maxAbsTarget)}`)}`);
    out.push(layerTable(snap.layers, r, W));
  }
  return `${wrapText(out.join('\n'), W)}\n`;
}

/** The per-layer table's columns: full and short headers, and which go first when it does not fit. */
const LAYER_TABLE: Column[] = [
  { head: LAYER_COLUMNS[0] },
  { head: LAYER_COLUMNS[1], short: 'act.', drop: 2 },
  { head: LAYER_COLUMNS[2], short: '|x·V|', drop: 1 },
  { head: LAYER_COLUMNS[3], short: '|pre|', drop: 3 },
  { head: LAYER_COLUMNS[4], short: '|act|' },
  { head: LAYER_COLUMNS[5], short: '‖∇θ‖' },
  { head: LAYER_COLUMNS[6], short: '‖V‖', drop: 4 },
  { head: LAYER_COLUMNS[7], short: '|g|', drop: 0 },
  { head: LAYER_COLUMNS[8], short: 'dead/sat.' },
  { head: LAYER_COLUMNS[9], short: 'NaN+Inf' },
];

function layerTable(layers: LayerHealth[], r: RunReport, width: number): string {
  const rows = layers.map((l) => {
    const cfg = r.config.network.layers.find((x) => x.name === l.layer);
    const numbers = [l.maxAbsXV, l.maxAbsPre, l.maxAbsActivation, l.gradNorm, l.normV, l.maxAbsG].map(fmt);
    return [l.layer, cfg?.activation ?? '', ...numbers, inactivityText(l, 'sat.'), String(l.nonFinite)];
  });
  return fitTable(LAYER_TABLE, rows, width);
}

function failOnText(f: string): string {
  if (f === 'warning') return 'NaN, Inf, explosion or an early warning';
  if (f === 'finding') return 'NaN, Inf, explosion, an early warning or a finding';
  return f === 'nan' ? 'NaN' : f === 'inf' ? 'NaN or Inf' : 'NaN, Inf or explosion';
}

function describeOptimizer(r: RunReport): string {
  const o = r.config.optimizer;
  const clip =
    r.config.clip.mode === 'none'
      ? 'no clipping'
      : `${r.config.clip.mode === 'perTensor' ? 'clip_by_norm' : 'clip_by_global_norm'} ${r.config.clip.norm}`;
  const opt =
    o.type === 'rmsprop'
      ? `RMSProp lr ${o.lr} decay ${o.decay} ε ${o.epsilon} (${o.epsilonPlacement} sqrt) rms₀ ${o.rmsInit}` +
        (o.momentum ? ` momentum ${o.momentum}` : '')
      : o.type === 'adam'
        ? `Adam lr ${o.lr}`
        : `SGD lr ${o.lr}${o.momentum ? ` momentum ${o.momentum}` : ''}`;
  return `${opt}, ${clip}`;
}
