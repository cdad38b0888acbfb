import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
const bytes = readFileSync('/work/main/fixtures/keras/q-critic-keras36.h5');
const n = bytes.length;
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(n) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.array(fc.nat(n - 1), { minLength: 1, maxLength: 8 }), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('huge' as const), at: fc.nat(Math.max(0, n - 8)), byte: fc.constantFrom(0xff, 0x7f, 0x80) }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(n - 1), len: fc.integer({ min: 1, max: 4096 }), times: fc.integer({ min: 2, max: 64 }) }),
);
mkdirSync('/tmp/h5fz', { recursive: true });
const ms = fc.sample(mutation, { numRuns: 80, seed: 424242 });
ms.forEach((m, i) => {
  let out: Uint8Array = Uint8Array.from(bytes);
  if (m.kind === 'truncate') out = out.subarray(0, m.at);
  else if (m.kind === 'flip') for (const k of m.at) out[k] = out[k]! ^ m.mask;
  else if (m.kind === 'huge') out.fill(m.byte, m.at, m.at + 8);
  else { const piece = bytes.subarray(m.at, m.at + m.len); out = Uint8Array.from([...bytes.subarray(0, m.at), ...Array.from({ length: m.times }, () => [...piece]).flat(), ...bytes.subarray(m.at)]); }
  const f = `/tmp/h5fz/c${i}.h5`;
  writeFileSync(f, out);
  writeFileSync(`/tmp/h5fz/c${i}.yaml`, `steps: 1\nnetwork: { model: ${f}, inputs: { state: obs, action: act } }\ndata: { source: synthetic, transitions: 64 }\n`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['/work/main/bin/critic-doctor.js', 'run', `/tmp/h5fz/c${i}.yaml`, '--no-progress'], { timeout: 15000, encoding: 'utf8' });
  const s = (Date.now() - t0) / 1000;
  if (s > 5 || r.status === null || ![0, 1, 2].includes(r.status)) console.log(i, JSON.stringify(m), 'status', r.status, r.signal, s, (r.stderr || '').slice(0, 200));
});
console.log('done');
