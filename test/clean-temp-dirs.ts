import { afterAll } from 'vitest';
import { removeTempDirs } from './helpers/temp-dir.js';

// A setup file runs again for every test file; a module-level hook in the helper would be registered
// only by the first file to import it once test files share modules (vitest.config.ts: isolate false).
afterAll(removeTempDirs);
