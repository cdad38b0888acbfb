import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

// Hand-made hostile model files (scripts/write-hostile-fixtures.py): each declares far more than
// it holds. critic-doctor must refuse them from what they declare — exit 2, one line naming the
// size and the limit — before allocating it: measured here in CPU time and peak resident memory
// of the CLI process (a preload records process.resourceUsage() at exit).
const DIR = path.join(ROOT, 'fixtures/hostile');

const MODEL = (file: string) => `model: ${path.join(DIR, file)}`;
const WEIGHTS = (file: string) => `inputDim: 8, weights: ${path.join(DIR, file)}, layers: [{ name: critic.0, units: 1 }]`;
const CASES: [string, string, RegExp][] = [
  ['bomb.keras', MODEL('bomb.keras'), /model\.weights\.h5 inflates to 4\.0 GiB, past the 256\.0 MiB limit \(network\.maxModelBytes\)/],
  [
    'huge-kernel.h5',
    MODEL('huge-kernel.h5'),
    /layer dense: weight dense\/kernel:0 of shape \[100000,100000\] declares 37\.3 GiB, past the 256\.0 MiB limit/,
  ],
  // A stride-0 view: 8 floats stored, [100000, 100000] declared by the pickle.
  ['strided.pt', WEIGHTS('strided.pt'), /critic\.0\.weight of shape \[100000,100000\] declares 37\.3 GiB, past the 256\.0 MiB limit/],
  // A million nested lists: the pickle machine is iterative, so no stack to exhaust.
  ['deep.pt', WEIGHTS('deep.pt'), /the pickle is not a dict of tensors/],
  // A zip64 end record claiming 2,139,062,143 entries: checked against the directory's bytes before fflate walks it.
  [
    'lying-directory.pt',
    WEIGHTS('lying-directory.pt'),
    /not a torch\.save zip archive: its central directory claims 2139062143 entries, more than its \d+ bytes can hold/,
  ],
  // A module holding itself: the walk of module paths stops at its depth limit.
  ['cyclic-module.pt', WEIGHTS('cyclic-module.pt'), /modules nested more than 64 deep \(a\.a\.a.*a module holding itself\?/],
  // A layer group that is a soft link to its parent: links are not walked, the layer has no weights.
  ['cycle.h5', MODEL('cycle.h5'), /layer dense: no weights stored for it/],
  // A million nested arrays in a model.json, 100,000 nested graphs in an ONNX file: the stack runs out, said so.
  ['deep.json', MODEL('deep.json'), /tf\.loadLayersModel could not load it: nested too deeply to read: it exhausted the stack/],
  ['deep.onnx', MODEL('deep.onnx'), /not a readable ONNX model \(nested too deeply to read: it exhausted the stack\)/],
  // The fuzz's find: the HDF5 library never returns on it; its read (on a worker thread) is ended, here after 2 s.
  [
    'looping.h5',
    `${MODEL('looping.h5')}, inputs: { state: obs, action: act }`,
    /looping\.h5: the HDF5 library had not read it after 2 s: a damaged or hostile file/,
  ],
  // dims [2^62, 1] and no data: refused from what it holds, nothing allocated from the dims.
  ['huge-dims.onnx', MODEL('huge-dims.onnx'), /initializer w: 0 values for shape \[4611686018427388000,1\]/],
];

describe('a model file cannot hurt: what it declares is checked before anything is allocated', () => {
  for (const [file, network, message] of CASES) {
    it(`${file}: exit 2 with one line naming what it declares, under 5 s of CPU and 1 GB resident`, async () => {
      const dir = tempDir('cd-hostile-');
      const config = path.join(dir, 'c.yaml');
      writeFileSync(config, `steps: 1\nnetwork: { ${network} }\ndata: { source: synthetic, transitions: 64 }\n`);
      const usage = path.join(dir, 'usage.json');
      const preload = path.join(dir, 'usage.cjs');
      writeFileSync(
        preload,
        `process.on('exit', () => { const r = process.resourceUsage(); require('fs').writeFileSync(${JSON.stringify(usage)}, ` +
          `JSON.stringify({ rssKB: r.maxRSS, cpuS: (r.userCPUTime + r.systemCPUTime) / 1e6 })); });`,
      );
      const r = await cli(['run', config, '--json', path.join(dir, 'r.json')], {
        env: { NODE_OPTIONS: `--require ${preload}`, CRITIC_DOCTOR_HDF5_SECONDS: '2' },
      });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack trace
      const u = JSON.parse(readFileSync(usage, 'utf8')) as { rssKB: number; cpuS: number };
      expect(u.rssKB).toBeLessThan(1024 * 1024);
      expect(u.cpuS).toBeLessThan(5);
    }, 60_000);
  }

  it('network.maxModelBytes is the limit: the same file under a lower one is refused naming it', async () => {
    const dir = tempDir('cd-hostile-');
    const config = path.join(dir, 'c.yaml');
    const model = path.join(ROOT, 'fixtures/keras/critic-keras3.keras');
    writeFileSync(config, `steps: 1\nnetwork: { model: ${model}, maxModelBytes: 1000 }\ndata: { source: synthetic, transitions: 64 }\n`);
    const r = await cli(['run', config]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/past the 1000 bytes limit \(network\.maxModelBytes\)/);
  }, 60_000);
});
