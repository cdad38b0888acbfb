// `npm run fuzz -- --runs N [--seed S]`: the reader fuzz test (test/reliability/fuzz-readers.test.ts)
// with N damaged copies per in-process reader and N/5 CLI runs per HDF5-based format (npm test
// runs 25 and 3). Prints vitest's report; exits as vitest does.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const flag = (name, def) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : def);
const runs = flag('--runs', 500);
const seed = flag('--seed', Date.now() % 2 ** 31);
console.log(`fuzz: ${runs} cases per reader, ${Math.max(3, Math.round(runs / 5))} CLI runs per HDF5 format, seed ${seed}`);
const r = spawnSync('npx', ['vitest', 'run', 'test/reliability/fuzz-readers.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, FUZZ_RUNS: String(runs), FUZZ_PROCESS_RUNS: String(Math.max(3, Math.round(runs / 5))), FUZZ_SEED: String(seed) },
});
process.exit(r.status ?? 1);
