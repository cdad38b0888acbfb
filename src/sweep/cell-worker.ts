import { parentPort } from 'node:worker_threads';
import { runCellGroup, type CellJob } from './cell-result.js';
import type { Cell } from './grid.js';

/** What the pool sends: cells to run as one ensemble, or "stop the runs in progress after their current step". */
export type WorkerMessage = { type: 'run'; job: CellJob; cells: Cell[] } | { type: 'stop' };

/**
 * Worker thread: runs each group of cells it is sent as one ensemble, one group at a time, with its
 * own tfjs backend. A `stop` aborts the group in progress, which ends after its current step and
 * comes back as partial results with status `interrupted` (the trainer yields to the event loop,
 * so the message gets in).
 */
const port = parentPort!;
let current: AbortController | null = null;
port.on('message', (msg: WorkerMessage) => {
  if (msg.type === 'stop') {
    current?.abort();
    return;
  }
  const ctl = new AbortController();
  current = ctl;
  runCellGroup(msg.job, msg.cells, ctl.signal).then(
    (results) => port.postMessage({ ok: true, results }),
    (e: unknown) => port.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e), cells: msg.cells }),
  );
});
