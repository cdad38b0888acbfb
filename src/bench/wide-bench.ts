/**
 * The critics people train today, on our kernels, beside ../shared/bench/torch_q_peer.py in the
 * same run: SB3's TD3 and SAC Q(s, a) critics (cat(state 17, action 6)), SAC's twin heads, rsl_rl's
 * 512-256-128 ELU V critic on batches of 1024 and a LayerNorm Q critic — each watched (the full
 * watchdog, one read-back a step), its GFLOP/s in the step's matmuls and its ratio to PyTorch's plain
 * step. Not a test: speed is measured here, never asserted.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { tf } from '../util/tfjs.js';
import { validateConfig } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import { train } from '../train/ensemble.js';
import { median } from '../util/stats.js';
import { benchMembers } from './bench-members.js';
import { stepFlops } from './kernel-bench.js';

type Arch = 'td3' | 'sac' | 'twin' | 'rslrl' | 'ln';

/** torch_q_peer.py's architectures in config words: Adam lr 3e-4, no clipping, Monte-Carlo targets that never diverge. */
function wideConfig(arch: Arch): Config {
  const q = arch !== 'rslrl';
  const widths = arch === 'td3' ? [400, 300] : arch === 'rslrl' ? [512, 256, 128] : [256, 256];
  const act = arch === 'rslrl' ? 'elu' : 'relu';
  const layers = [
    ...widths.map((units, i) => ({
      name: `fc${i + 1}`,
      units,
      activation: act,
      weightNorm: false,
      init: 'torch_linear',
      ...(arch === 'ln' ? { norm: 'layer' } : {}),
    })),
    { name: 'q', units: 1, activation: 'linear', weightNorm: false, init: 'torch_linear' },
  ];
  return validateConfig({
    name: `bench-${arch}`,
    seed: 0,
    steps: 100,
    batchSize: arch === 'rslrl' ? 1024 : 256,
    network: { inputDim: q ? 17 : 48, ...(q ? { actionDim: 6 } : {}), ...(arch === 'twin' ? { critics: 2 } : {}), layers },
    optimizer: { type: 'torch-adam', lr: 3e-4 },
    clip: { mode: 'none' },
    data: { source: 'synthetic', transitions: 8192, stateScale: 1, targets: 'monteCarlo', gamma: 0.99, episodeLength: 200 },
    watch: { failOn: 'none' },
  }).config;
}

/** Steps/s of the watched run loop. */
async function watchedRate(config: Config, steps: number): Promise<number> {
  const r = await train((await benchMembers(config, 1, steps))[0]!);
  tf.dispose([...r.state.params, ...r.state.slots.flat()]);
  return steps / r.seconds;
}

/** The wide critics: ours watched, torch's plain and hooked, in one run; `steps` each, `repeats` times. */
export async function benchWide(steps: number, repeats: number, log: (s: string) => void): Promise<Record<string, unknown>> {
  const archs: Arch[] = ['td3', 'sac', 'twin', 'rslrl', 'ln'];
  const peer = torchPeer(Math.max(steps, 100), archs, log);
  const out: Record<string, unknown> = { torch: peer ? { torch: peer.torch, blas: peer.blas, threads: peer.threads } : null };
  for (const arch of archs) {
    const config = wideConfig(arch);
    await watchedRate(config, Math.max(5, Math.ceil(steps / 10))); // warm-up
    const rates: number[] = [];
    for (let i = 0; i < repeats; i++) rates.push(await watchedRate(config, steps));
    const watched = median(rates)!;
    const flops = stepFlops(config) * config.network.critics;
    const torch = peer?.[arch] as { plain_steps_per_s: number; hooks_steps_per_s: number } | undefined;
    out[arch] = {
      batch: config.batchSize,
      watched: Math.round(watched * 10) / 10,
      gflops: Math.round((watched * flops) / 1e8) / 10,
      torchPlain: torch?.plain_steps_per_s ?? null,
      torchHooks: torch?.hooks_steps_per_s ?? null,
      watchedOverTorchPlain: torch ? Math.round((watched / torch.plain_steps_per_s) * 100) / 100 : null,
    };
    log(`${arch}: ${JSON.stringify(out[arch])}`);
  }
  return out;
}

/**
 * torch_q_peer.py with OpenBLAS on one thread, as a pip-installed PyTorch runs (OPENBLAS_CORETYPE
 * and OPENBLAS_L2_SIZE unset for this command alone); null when this machine has no PyTorch.
 */
function torchPeer(steps: number, archs: Arch[], log: (s: string) => void): Record<string, unknown> | null {
  const script = path.resolve('../shared/bench/torch_q_peer.py');
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync('/usr/bin/python3', [script, String(steps), '1', archs.join(',')], { encoding: 'utf8', env });
  const line = r.stdout?.trim().split('\n').pop();
  log(`torch_q_peer: ${line ?? r.stderr?.trim().split('\n').pop() ?? 'not run'}`);
  return r.status === 0 && line ? (JSON.parse(line) as Record<string, unknown>) : null;
}
