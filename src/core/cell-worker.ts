import { serveJobs } from '../sweep/serve-jobs.js';
import { runCell, type CellTask } from './cells.js';

/** Worker thread entry (core/cells.ts): runs each cell it is sent, with its own tfjs backend. */
serveJobs<CellTask, Awaited<ReturnType<typeof runCell>>>((task, signal) => runCell(task, signal));
