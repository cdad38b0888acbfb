import type { Config } from '../config/schema.js';
import type { FirstEvents } from '../watch/events.js';
import type { EarlyWarning } from '../watch/early-warning.js';
import type { Finding } from '../watch/findings/finding.js';
import type { HistoryPoint } from '../watch/history.js';
import type { CausalChain } from './causal-chain.js';
import type { Verdict } from './verdict.js';
import { fmt } from '../util/number-format.js';
import type { EarlyWarningWatch } from '../watch/early-warning.js';
import type { Watchdog } from '../watch/watchdog.js';
import type { FindingsWatch } from '../watch/findings/findings-watch.js';
import { causalChain } from './causal-chain.js';
import { decideVerdict } from './verdict.js';

/** What a run's instruments found, as the run report holds it (shared by `run` and `watchModel`). */
export interface RunFindings {
  verdict: Verdict;
  earlyWarning: EarlyWarning | null;
  findings: Finding[];
  causalChain: CausalChain | null;
  firstEvents: FirstEvents;
  /** Per-layer pictures: the step before the first event, each first event's step, the last step. */
  tables: Record<'lastHealthy' | 'nan' | 'inf' | 'explosion' | 'last', HistoryPoint | null>;
  history: { every: number; points: HistoryPoint[] };
  watched: string[];
}

/** The verdict, tables, history and causal chain of a run from its watchdog and early warning. */
export function runFindings(
  watchdog: Watchdog,
  early: EarlyWarningWatch,
  silent: FindingsWatch,
  config: Config,
  stepsRun: number,
): RunFindings {
  const findings = silent.findings();
  const last = watchdog.lastStep;
  const history = watchdog.history();
  const healthyNote = last
    ? ` (final loss ${fmt(last.loss)}, max |activation| ${fmt(Math.max(...last.layers.map((l) => l.maxAbsActivation)))})`
    : '';
  return {
    verdict: decideVerdict(
      watchdog.first,
      config.watch.failOn,
      stepsRun,
      config.watch.explosionThreshold,
      healthyNote,
      early.warning,
      findings,
      watchdog.points.some((p) => p.phase === 'input'),
    ),
    earlyWarning: early.warning,
    findings,
    causalChain: causalChain(watchdog.first, history, config),
    firstEvents: watchdog.first,
    tables: {
      lastHealthy: watchdog.lastHealthy,
      nan: watchdog.atEvent.nan ?? null,
      inf: watchdog.atEvent.inf ?? null,
      explosion: watchdog.atEvent.explosion ?? null,
      last,
    },
    history: { every: watchdog.historyInterval, points: history },
    watched: watchdog.points.map((p) => p.key),
  };
}
