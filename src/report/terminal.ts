import type { FirstEvent } from '../watch/events.js';
import type { HistoryPoint } from '../watch/history.js';
import type { LayerHealth } from '../watch/layer-health.js';
import { LAYER_COLUMNS, findingText, inactivityText } from './format.js';
import { fmt } from '../util/number-format.js';
import { plainPalette, type Palette } from './palette.js';
import { sparkline } from './sparkline.js';
import { fitTable, wrapText, type Column } from './fit.js';
import { runLayers, runSource, seedText, stepsText, type RunReport } from './run-report.js';
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
  const verdict = [
    '',
    verdictLine,
    p.dim(`  fails on: ${r.verdict.failOn === 'none' ? 'nothing (--fail-on none)' : failOnText(r.verdict.failOn)}`),
  ];
  const out = [
    ...header(r, p),
    ...lintLines(r, p),
    ...verdict,
    ...robustnessLines(r, p),
    ...explanationLines(r, p),
    ...eventLines(r, p, W),
    ...sparklineLines(r, p, W),
    ...healthTables(r, p, W),
  ];
  return `${wrapText(out.join('\n'), W)}\n`;
}

/** A titled block: a blank line, the title, the lines (nothing when there are none). */
const block = (title: string, lines: string[]): string[] => (lines.length ? ['', title, ...lines] : []);

function header(r: RunReport, p: Palette): string[] {
  const c = r.config;
  // A Q(s, a) critic whose action joins a later layer shows it there: `→ (+ action 1) l2 300 relu`.
  const joins = (name: string) => (c?.network.actionAt === name ? `(+ action ${c.network.actionDim}) ` : '');
  const layers = (c?.network.layers ?? runLayers(r)).map((l) => `${joins(l.name)}${l.name} ${l.units} ${l.activation}`);
  return [
    !c ? `${p.bold(runSource(r))}` : `${p.bold('critic-doctor run')} ${r.configFile ?? ''}${c.name ? p.dim(` (${c.name})`) : ''}`,
    p.dim(
      `  backend ${r.environment.backend} (tfjs ${r.environment.tfjsVersion})${seedText(r)} · ${stepsText(r)}` +
        ` · ${r.timing.seconds.toFixed(1)} s (${r.timing.stepsPerSecond.toFixed(0)} steps/s)` +
        (r.status !== 'completed' ? ` · ${r.status}${r.stopDetail ? `: ${r.stopDetail}` : ''}` : ''),
    ),
    p.dim(
      r.graph || !c
        ? `  model${qText(r)}: ${r.graph ?? layers.join(' → ')}`
        : `  critic${qText(r)}: ${c.network.inputDim}${firstTakes(c.network)} → ${layers.join(' → ')}` +
            (c.network.critics > 1
              ? ` · ${c.network.critics} critics (qf0…qf${c.network.critics - 1}), each bootstrapping from their minimum`
              : ''),
    ),
    p.dim(`  training: ${describeOptimizer(r)} · data: ${r.data}`),
    ...(r.settingsFrom ?? []).map((line) => p.dim(`  ${line}`)),
  ];
}

/** " + 1" where the first layer takes the action too (cat([state, action], 1)), else "". */
function firstTakes(n: { actionDim?: number; actionAt?: string }): string {
  return n.actionDim && !n.actionAt ? ` + ${n.actionDim}` : '';
}

/** " Q(s, a) (state obs, action act)" for a critic of a state and an action, else "". */
function qText(r: RunReport): string {
  const i = r.config?.network.inputs;
  if (i?.action) return ` Q(s, a) (state ${i.state}, action ${i.action})`;
  return r.config?.network.actionDim ? ' Q(s, a)' : '';
}

function lintLines(r: RunReport, p: Palette): string[] {
  const warnings = (r.lint ?? []).filter((f) => f.severity === 'warning');
  const count = `${warnings.length} warning${warnings.length > 1 ? 's' : ''}`;
  const title = `${p.bold('Lint')} ${p.dim(`(${count}; critic-doctor lint for details)`)}`;
  return block(
    title,
    warnings.map(
      (f) => `  ${p.warn('!')} ${f.line !== undefined ? p.dim(`line ${f.line}: `) : ''}${f.message} ${p.dim(`→ remedy ${f.remedy}`)}`,
    ),
  );
}

function robustnessLines(r: RunReport, p: Palette): string[] {
  const rb = r.robustness;
  if (!rb) return [];
  const title = `${p.bold('Robustness')} ${p.dim(`(${rb.replicas} replicas, initial parameters nudged by one float32 ulp)`)}`;
  return block(title, [`  ${rb.class === 'chaotic' ? p.warn('⚠') : p.info('·')} ${rb.sentence}`, p.dim(`  ${replicaLine(rb)}`)]);
}

/** Findings, the causal chain and the exact op: why, as far as the run can tell. */
function explanationLines(r: RunReport, p: Palette): string[] {
  const x = r.exactOp;
  const replayed = x ? `(step ${x.step} replayed from the state before it, ${x.reproduced ? '' : 'NOT '}reproduced bit for bit)` : '';
  return [
    ...block(
      `${p.bold('Findings')} ${p.dim('(silent failures: no NaN needed)')}`,
      r.findings.map((f) => `  ${p.warn('⚠')} ${findingText(f)}`),
    ),
    ...block(
      p.bold('How it got there'),
      (r.causalChain?.lines ?? []).map((l) => `  ${l}`),
    ),
    ...block(`${p.bold('Exact op')} ${p.dim(replayed)}`, x ? [`  ${x.description}`] : []),
  ];
}

function eventLines(r: RunReport, p: Palette, W: number): string[] {
  const events = (['explosion', 'inf', 'nan'] as const).map((k) => r.firstEvents[k]).filter((e): e is FirstEvent => e !== null);
  if (!events.length) return [];
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
  return block(p.bold('First events'), [fitTable(columns, rows, W)]);
}

function sparklineLines(r: RunReport, p: Palette, W: number): string[] {
  const points = r.history.points;
  if (points.length <= 1) return [];
  const width = Math.max(...runLayers(r).map((l) => l.name.length));
  const lines = runLayers(r).map((l) => {
    const ys = points.map((pt) => pt.layers.find((x) => x.layer === l.name)?.maxAbsActivation ?? NaN);
    const ends = `${fmt(ys[0])} → ${fmt(ys[ys.length - 1])}`;
    // The sparkline takes what the name and the two end values leave of the line (at most 40).
    const room = Math.max(8, Math.min(40, W - width - ends.length - 6));
    return `  ${l.name.padEnd(width)}  ${sparkline(ys, room)}  ${p.dim(ends)}`;
  });
  const title = `${p.bold('max |activation| over steps')} ${p.dim(`(log scale, steps 0–${points[points.length - 1]!.step}; ✕ = NaN/Inf)`)}`;
  return block(title, lines);
}

/** Before and at the worst event, or at the last step of a healthy run. */
function healthTables(r: RunReport, p: Palette, W: number): string[] {
  const tables: [string, HistoryPoint | null][] = [];
  if (r.verdict.worst) {
    tables.push([`Per-layer health at step ${r.tables.lastHealthy?.step ?? '–'} (last healthy)`, r.tables.lastHealthy]);
    const failing = r.tables[r.verdict.worst];
    tables.push([`Per-layer health at step ${failing?.step ?? '–'} (first ${EVENT_LABEL[r.verdict.worst]})`, failing]);
  } else {
    tables.push([`Per-layer health at the last step (${r.tables.last?.step ?? '–'})`, r.tables.last]);
  }
  return tables.flatMap(([title, snap]) =>
    snap
      ? block(`${p.bold(title)}  ${p.dim(`loss ${fmt(snap.loss)}, max |target| ${fmt(snap.maxAbsTarget)}`)}`, [
          layerTable(snap.layers, r, W),
        ])
      : [],
  );
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
    const cfg = runLayers(r).find((x) => x.name === l.layer);
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
  if (!r.config) return r.model?.optimizer ?? '';
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
        ? `Adam lr ${o.lr}${o.biasCorrectedEpsilon ? ` ε ${o.epsilon} on √v̂ (PyTorch)` : ''}`
        : `SGD lr ${o.lr}${o.momentum ? ` momentum ${o.momentum}` : ''}`;
  const decay = o.weightDecay
    ? ` weight decay ${o.weightDecay}${o.type === 'adam' && o.decoupledWeightDecay ? ' decoupled (AdamW)' : ''}`
    : '';
  return `${opt}${decay}, ${clip}`;
}
