import { tf } from '../util/tfjs.js';
import { Watch, type FailOnT, type WatchConfig } from '../config/schema.js';
import { runFindings } from '../diagnose/run-findings.js';
import type { RunReport } from '../report/run-report.js';
import { toolHeader } from '../report/report-header.js';

import { EarlyWarningWatch } from '../watch/early-warning.js';
import { FindingsWatch } from '../watch/findings/findings-watch.js';
import type { FirstEvents } from '../watch/events.js';
import { EventRules } from '../watch/event-rules.js';
import type { Instrument } from '../watch/instrument.js';
import type { Tap } from '../watch/tap.js';
import type { WatchPoint } from '../watch/watch-points.js';
import { Watchdog } from '../watch/watchdog.js';
import { describeGraph, describeModel, describeOptimizer } from './describe-model.js';
import { ModelTaps } from './model-taps.js';

/** Options of `watchModel`; every field is optional. */
export interface WatchModelArgs {
  /** |x| above this in any watched tensor is an explosion. Default 1e6. */
  explosionThreshold?: number;
  /** Stop training at the first NaN (`model.stopTraining = true`; `step()` returns `stop: true`). Default true. */
  stopOnNaN?: boolean;
  /** What `report().verdict.failed` means: nan, inf (default), explosion, warning or none. */
  failOn?: FailOnT;
  /** Most history points kept for the report's charts. Default 2000. */
  historySize?: number;
  /** Steps planned, for history spacing and the early warning's horizon. Default: from fit's epochs and batches, else 10000. */
  steps?: number;
  /** The run's name in reports. Default: the model's name. */
  name?: string;
  /** The optimizer `step()` uses. Default: the model's (set by `compile`). */
  optimizer?: tf.Optimizer;
  /** @internal More instruments to see every step's statistics after the watchdog's (critic-doctor's progress bars). */
  instruments?: Instrument[];
}

/** What `watcher.step()` returns. */
export interface WatchedStep {
  /** 0-based index of the step just taken, counted over every fit and step() of this watcher. */
  step: number;
  loss: number;
  /** The watchdog asks to stop (first NaN with stopOnNaN). */
  stop: boolean;
}

/**
 * Watches a compiled `tf.LayersModel` train: `model.fit(x, y, { callbacks: [watcher.callback] })`
 * (or `fitDataset`), or a custom loop through `watcher.step(() => loss)`. Each optimizer step's
 * layer outputs (and Dense pre-activations), target, loss, gradients, optimizer slots and updated
 * weights are checked as they were in that step; `report()` gives the same report `critic-doctor
 * run` writes, for `renderHtml` and the other reporters. Call `dispose()` when done.
 */
export class ModelWatcher {
  /** Pass to `model.fit(..., { callbacks: [watcher.callback] })`. */
  readonly callback: tf.CustomCallback;
  private readonly taps: ModelTaps;
  private readonly watch: WatchConfig;
  private readonly rules: EventRules;
  private watchdog: Watchdog | null = null;
  private early: EarlyWarningWatch | null = null;
  private silent: FindingsWatch | null = null;
  private instruments: Instrument[] = [];
  private points: readonly WatchPoint[] | null = null;
  private pending: tf.Tensor | null = null;
  /** The last step's model inputs, kept until its statistics are read: an event in one is then located. */
  private pendingInputs: { name: string; t: tf.Tensor }[] = [];
  private endedAt = -1;
  private steps: number;
  /** Whether `steps` is a budget someone set (options.steps, or fit's epochs × batches), not the default. */
  private stepsKnown: boolean;
  private stepIndex = 0;
  private seconds = 0;
  private readonly startedAt = new Date().toISOString();

  constructor(
    private readonly model: tf.LayersModel,
    private readonly args: WatchModelArgs = {},
  ) {
    this.watch = Watch.parse({
      ...(args.explosionThreshold !== undefined ? { explosionThreshold: args.explosionThreshold } : {}),
      ...(args.stopOnNaN !== undefined ? { stopOnNaN: args.stopOnNaN } : {}),
      ...(args.failOn !== undefined ? { failOn: args.failOn } : {}),
      ...(args.historySize !== undefined ? { historySize: args.historySize } : {}),
    });
    this.rules = new EventRules(this.watch);
    this.steps = args.steps ?? 10_000;
    this.stepsKnown = args.steps !== undefined;
    this.taps = new ModelTaps(model, { onStep: (tap) => this.onStep(tap) });
    let t0 = 0;
    const cb: tf.CustomCallback = new tf.CustomCallback(
      {
        onTrainBegin: async () => {
          const p = cb.params as { epochs?: number; steps?: number; samples?: number; batchSize?: number } | undefined;
          const perEpoch = p?.steps ?? (p?.samples && p.batchSize ? Math.ceil(p.samples / p.batchSize) : undefined);
          if (args.steps === undefined && p?.epochs && perEpoch) {
            this.steps = this.stepIndex + p.epochs * perEpoch;
            this.stepsKnown = true;
          }
          this.taps.install(args.optimizer ?? model.optimizer);
          t0 = performance.now();
        },
        onBatchEnd: async () => {
          await this.flush();
          if (this.stopRequested) model.stopTraining = true;
        },
        onTrainEnd: async () => {
          await this.flush();
          this.seconds += (performance.now() - t0) / 1000;
          this.taps.uninstall();
        },
      },
      'never',
    );
    this.callback = cb;
  }

  /** The first NaN, Inf and explosion seen so far (null each until it happens). */
  get firstEvents(): FirstEvents {
    return this.watchdog?.first ?? { nan: null, inf: null, explosion: null };
  }

  /** Steps watched so far. */
  get stepsSeen(): number {
    return this.stepIndex;
  }

  private get stopRequested(): boolean {
    return this.watch.stopOnNaN && this.watchdog?.stopTraining === true;
  }

  /**
   * One step of a custom training loop: `optimizer.minimize(f)` with the watchdog on. `f` computes
   * the loss from the model (e.g. `() => tf.losses.meanSquaredError(y, model.apply(x))`); `varList`
   * defaults to all trainable variables, as minimize's does.
   */
  async step(f: () => tf.Scalar, varList?: tf.Variable[]): Promise<WatchedStep> {
    const optimizer = this.args.optimizer ?? this.model.optimizer;
    this.taps.install(optimizer);
    const t0 = performance.now();
    const value = tf.tidy(() => optimizer.minimize(f, true, varList)!);
    const loss = (await value.data())[0]!;
    value.dispose();
    const step = this.stepIndex;
    await this.flush();
    this.seconds += (performance.now() - t0) / 1000;
    return { step, loss, stop: this.stopRequested };
  }

  /** The run report (`renderHtml(report)`, `renderJunit`, `toJson`, ...): what `critic-doctor run` writes. */
  report(): RunReport {
    const config = describeModel(this.model, this.watch, Math.max(this.steps, this.stepIndex), this.args.name);
    const watchdog = this.watchdog ?? new Watchdog(this.watch, 1);
    const early = this.early ?? new EarlyWarningWatch();
    if (this.endedAt !== this.stepIndex) {
      watchdog.onTrainEnd();
      this.endedAt = this.stepIndex;
    }
    const findings = runFindings(watchdog, early, this.silent ?? new FindingsWatch(), config, this.stepIndex);
    const stopped = this.stopRequested;
    // A model it did not build: no seed, no lint, no config hash, and a budget only where one was set.
    // The config above is the watchdog's working copy (its rules and findings read one), not a
    // description of the model: the report carries the model as found (`model`), no `config`.
    const header = toolHeader('run');
    const optimizer = describeOptimizer(this.args.optimizer ?? this.model.optimizer).text;
    return {
      ...header,
      source: 'watchModel',
      model: {
        name: config.name ?? this.model.name,
        layers: config.network.layers.map((l) => ({ name: l.name, units: l.units, activation: l.activation })),
        optimizer,
        explosionThreshold: this.watch.explosionThreshold,
      },
      graph: describeGraph(this.model),
      environment: { backend: tf.getBackend(), tfjsBackend: tf.getBackend(), tfjsVersion: tf.version.tfjs, node: process.version },
      layerLines: {},
      data: 'the data passed to the model',
      droppedRows: 0,
      ...(this.stepsKnown ? { stepsRequested: Math.max(this.steps, this.stepIndex) } : {}),
      stepsRun: this.stepIndex,
      status: stopped ? 'stopped' : 'completed',
      ...(stopped ? { stopDetail: watchdog.stopReason } : {}),
      verdict: findings.verdict,
      earlyWarning: findings.earlyWarning,
      findings: findings.findings,
      causalChain: findings.causalChain,
      exactOp: null,
      firstEvents: findings.firstEvents,
      tables: findings.tables,
      history: findings.history,
      watched: findings.watched,
      timing: { seconds: this.seconds, stepsPerSecond: this.seconds > 0 ? this.stepIndex / this.seconds : 0 },
      startedAt: this.startedAt,
    };
  }

  /** Removes every hook and frees what the watcher holds. */
  dispose(): void {
    this.taps.uninstall();
    tf.dispose(this.pending ?? []);
    tf.dispose(this.pendingInputs.map((x) => x.t));
    this.pendingInputs = [];
    this.pending = null;
  }

  /** After each optimizer step (inside fit's tidy): the statistics of every recorded tensor, as one small tensor. */
  private onStep(tap: Tap): void {
    try {
      if (!this.points) this.points = tap.points;
      else if (tap.tensors.length !== this.points.length) {
        throw new Error(
          `watchModel: this step recorded ${tap.tensors.length} tensors, the first ${this.points.length}: ` +
            'the model ran differently (a layer skipped or called twice), so steps cannot be compared',
        );
      }
      const p = this.points;
      const stats = this.rules.stats(tap.tensors, p);
      tf.dispose(this.pending ?? []);
      this.pending = tf.keep(stats);
      tf.dispose(this.pendingInputs.map((x) => x.t));
      this.pendingInputs = p.flatMap((q, i) => (q.phase === 'input' ? [{ name: q.tensor, t: tap.tensors[i]! }] : []));
    } finally {
      const kept = new Set(this.pendingInputs.map((x) => x.t));
      tf.dispose(tap.tensors.filter((t) => !kept.has(t)));
    }
  }

  /**
   * A first event this step in one of the model's inputs: where in it (batch row, column, value),
   * read from the input itself — only then, so a healthy step reads nothing more.
   */
  private async locateInputEvents(): Promise<void> {
    const wd = this.watchdog!;
    const limit = this.watch.explosionThreshold;
    // The statistics' own rules: an explosion counts Infs and finite values over the threshold, not NaN.
    const bad = {
      nan: Number.isNaN,
      inf: (x: number) => x === Infinity || x === -Infinity,
      explosion: (x: number) => Math.abs(x) > limit,
    };
    for (const kind of ['nan', 'inf', 'explosion'] as const) {
      const e = wd.first[kind];
      if (!e || e.step !== this.stepIndex || e.phase !== 'input' || e.at) continue;
      const input = this.pendingInputs.find((x) => x.name === e.tensor);
      if (!input) continue;
      const values = await input.t.data();
      const i = Array.prototype.findIndex.call(values, bad[kind]);
      if (i < 0) continue;
      const cols = input.t.shape.length > 1 ? input.t.size / input.t.shape[0]! : input.t.size;
      wd.locate(kind, { row: Math.floor(i / cols), column: i % cols, value: values[i] as number });
    }
  }

  /** Reads the last step's statistics (one read-back) and hands them to the instruments. */
  private async flush(): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    this.pending = null;
    const stats = (await pending.data()) as Float32Array;
    pending.dispose();
    if (!this.watchdog) {
      this.watchdog = new Watchdog(this.watch, this.steps);
      this.early = new EarlyWarningWatch();
      this.silent = new FindingsWatch();
      this.instruments = [this.watchdog, this.early, this.silent, ...(this.args.instruments ?? [])];
      for (const i of this.instruments) i.onTrainBegin({ points: this.points!, steps: this.steps });
    }
    for (const i of this.instruments) i.onStepEnd(this.stepIndex, { stats });
    await this.locateInputEvents();
    tf.dispose(this.pendingInputs.map((x) => x.t));
    this.pendingInputs = [];
    this.stepIndex++;
  }
}

/**
 * Watches a compiled tfjs LayersModel's training for the first NaN, Inf and explosion: the step,
 * phase (forward | loss | backward | update), layer (the model's own name) and tensor.
 *
 * ```ts
 * const watcher = watchModel(model);
 * await model.fit(xs, ys, { epochs: 10, callbacks: [watcher.callback] });
 * writeFileSync('report.html', renderHtml(watcher.report()));
 * ```
 */
export function watchModel(model: tf.LayersModel, args: WatchModelArgs = {}): ModelWatcher {
  if (!(model instanceof tf.LayersModel)) {
    throw new TypeError(
      'watchModel: not a tf.LayersModel of the @tensorflow/tfjs that critic-doctor uses ' +
        `(${tf.version.tfjs}). Two copies of tfjs are installed: use the same version in your project so npm shares one.`,
    );
  }
  return new ModelWatcher(model, args);
}
