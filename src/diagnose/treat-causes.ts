import type { Cause } from '../watch/cause.js';
import type { FirstEvent } from '../watch/events.js';
import { findingLabel } from '../watch/findings/finding.js';
import type { CellResult } from './cell-result.js';
import type { LintFinding } from './lint.js';

/** The cause a first event's phase points at: a NaN in the loss is the targets', one in the update or clip the optimizer's. */
export function eventCause(e: Pick<FirstEvent, 'phase'> | null): Cause | null {
  if (e?.phase === 'input') return 'data';
  if (e?.phase === 'loss') return 'targets';
  if (e?.phase === 'update' || e?.phase === 'clip') return 'optimizer';
  return null;
}

/**
 * What treat orders its remedies by: the causes the config's lint warnings declare, those the
 * failing baseline runs' first events point at, and those of the targeted findings they had.
 */
export function diagnoseCauses(lint: readonly LintFinding[], failing: readonly CellResult[], targets: ReadonlySet<string>): Cause[] {
  const causes = new Set<Cause>(lint.filter((f) => f.severity === 'warning').map((f) => f.cause));
  for (const c of failing) {
    const cause = eventCause(c.worst ? c.firstEvents[c.worst] : null);
    if (cause) causes.add(cause);
    for (const f of c.findings) if (targets.has(findingLabel(f))) causes.add(f.cause);
  }
  return [...causes];
}
