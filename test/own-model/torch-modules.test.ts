import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDiagnosis } from '../../src/core/run.js';
import { loadConfig } from '../../src/model/load-config-with-model.js';
import { ROOT } from '../helpers/cli.js';
import { expectTensors, type ExpectedTensors } from '../helpers/expect-tensors.js';
import { tmpFile, TORCH_DIR } from '../helpers/torch-fixtures.js';

// Whole modules as people save them — torch.save(critic), TorchScript script and trace, the legacy
// format — written by Debian's PyTorch (scripts/write-torch-module-fixtures.py) and read as data:
// every class the pickle names stays a name, only torch's tensor rebuilders are interpreted.
const DIR = path.join(ROOT, 'fixtures/torch-modules');
const expected = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as Record<'ppo' | 'twin', ExpectedTensors>;

const MARKS = ['system', 'eval', 'popen'].map((s) => `/tmp/critic-doctor-must-not-exist-${s}`);

describe('whole pickled modules and TorchScript archives, read as data', () => {
  for (const file of ['ppo-module.pt', 'ppo-module-legacy.pt', 'ppo-script.pt', 'ppo-trace.pt'])
    it(`${file}: every parameter by its module path (critic.0.weight …), as the module's state_dict() has it`, () => {
      expectTensors(path.join(DIR, file), expected.ppo);
    });

  it("twin-module.pt (SB3's qf0/qf1 layout): qf0.0.weight … qf1.4.bias", () => {
    expectTensors(path.join(DIR, 'twin-module.pt'), expected.twin);
    expect(expected.twin.map((t) => t.name)).toContain('qf1.4.bias');
  });

  it('a pickle asking for os.system, builtins.eval and subprocess.Popen: its tensors are read, no call is made, no file appears', () => {
    for (const m of MARKS) expect(existsSync(m), m).toBe(false);
    const before = readdirSync('/tmp').length;
    expectTensors(path.join(DIR, 'evil-module.pt'), expected.ppo);
    for (const m of MARKS) expect(existsSync(m), m).toBe(false);
    expect(readdirSync('/tmp').length).toBe(before);
  });

  it("runs from a module or a TorchScript file train exactly as from the state_dict: every step's loss equal", async () => {
    const losses = async (weights: string) => {
      const yaml = readFileSync(path.join(TORCH_DIR, 'ppo-state-dict.yaml'), 'utf8')
        .replace('weights: ppo-critic.pt', `weights: ${weights}`)
        .replace('path: ppo-rollout.npz', `path: ${path.join(TORCH_DIR, 'ppo-rollout.npz')}`);
      const loaded = await loadConfig(tmpFile('critic.yaml', yaml));
      const r = await runDiagnosis({ loaded, backend: 'cpu' });
      return r.history.points.map((p) => p.loss);
    };
    const want = await losses(path.join(TORCH_DIR, 'ppo-critic.pt'));
    expect(want).toHaveLength(4);
    for (const f of ['ppo-module.pt', 'ppo-script.pt', 'ppo-trace.pt']) expect(await losses(path.join(DIR, f)), f).toEqual(want);
    expect(await losses(path.join(TORCH_DIR, 'module.pt'))).toEqual(want);
  });
});
