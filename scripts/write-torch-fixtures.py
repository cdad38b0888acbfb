"""Writes fixtures/torch/: PyTorch critics exported by PyTorch itself, for test/own-model/onnx.test.ts.

Run with Debian's PyTorch and ONNX (python3-torch 1.13, python3-onnx): /usr/bin/python3 scripts/write-torch-fixtures.py
- ppo-critic.onnx: a CleanRL-style PPO critic (obs 8 -> 64 tanh -> 64 tanh -> 1, orthogonal init, bias 0),
  exported with torch.onnx.export (Gemm nodes, initializers named critic.0.weight ...), batch axis dynamic.
- sac-q.onnx: a SAC-style Q critic, cat([obs 8, act 2]) -> 256 relu -> 256 relu -> 1 (Concat + Gemm).
- ppo-critic.pt, sac-q.pt: the same modules' state_dict() as torch.save writes it (zip format).
- module.pt: torch.save(module) (a pickled module, refused).
- bad-op.onnx: a critic with a Sin node (refused).
- ppo-rollout.npz: 64 transitions for it; expected.json has torch's first Adam and RMSprop update on them.
- nan-critic.pt, nan-rollout.npz, nan-step.json: a relu critic that goes NaN under torch.optim.SGD with γ = 1
  bootstrapped targets on unnormalised states, and the step torch's own run first has a NaN.
- expected.json: torch's own forward output of each on a fixed batch, as float32.
"""
import json
import os

import numpy as np
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'torch')
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(3)


def layer_init(layer, std=np.sqrt(2), bias_const=0.0):
    """CleanRL's layer_init: orthogonal weights with gain std, constant bias."""
    torch.nn.init.orthogonal_(layer.weight, std)
    torch.nn.init.constant_(layer.bias, bias_const)
    return layer


class PpoCritic(nn.Module):
    def __init__(self, obs):
        super().__init__()
        self.critic = nn.Sequential(layer_init(nn.Linear(obs, 64)), nn.Tanh(), layer_init(nn.Linear(64, 64)), nn.Tanh(),
                                    layer_init(nn.Linear(64, 1), std=1.0))

    def forward(self, x):
        return self.critic(x)


class SoftQNetwork(nn.Module):
    """CleanRL's sac_continuous_action.py SoftQNetwork."""

    def __init__(self, obs, act):
        super().__init__()
        self.fc1 = nn.Linear(obs + act, 256)
        self.fc2 = nn.Linear(256, 256)
        self.fc3 = nn.Linear(256, 1)

    def forward(self, x, a):
        x = torch.cat([x, a], 1)
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)


OBS, ACT, B = 8, 2, 16
ppo = PpoCritic(OBS)
sac = SoftQNetwork(OBS, ACT)
g = torch.Generator().manual_seed(5)
x = torch.randn(B, OBS, generator=g)
a = torch.rand(B, ACT, generator=g) * 2 - 1

torch.onnx.export(ppo, (x,), os.path.join(OUT, 'ppo-critic.onnx'), input_names=['obs'], output_names=['value'],
                  dynamic_axes={'obs': {0: 'batch'}, 'value': {0: 'batch'}}, opset_version=13)
torch.onnx.export(sac, (x, a), os.path.join(OUT, 'sac-q.onnx'), input_names=['obs', 'act'], output_names=['q'],
                  dynamic_axes={'obs': {0: 'batch'}, 'act': {0: 'batch'}, 'q': {0: 'batch'}}, opset_version=13)


class SinCritic(nn.Module):
    """An op critic-doctor does not translate (Sin), for the refusal test."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(OBS, 8)
        self.fc2 = nn.Linear(8, 1)

    def forward(self, x):
        return self.fc2(torch.sin(self.fc1(x)))


torch.onnx.export(SinCritic(), (x,), os.path.join(OUT, 'bad-op.onnx'), input_names=['obs'], output_names=['v'], opset_version=13)
torch.save(ppo.state_dict(), os.path.join(OUT, 'ppo-critic.pt'))
torch.save(sac.state_dict(), os.path.join(OUT, 'sac-q.pt'))
torch.save(ppo, os.path.join(OUT, 'module.pt'))  # a whole pickled module, not a state_dict: refused

# A recorded rollout for the PPO critic (npz: states, rewards, dones, returns) and torch's own first
# Adam and RMSprop update on its first 16 rows (a run with targets: precomputed, sampling: sequential,
# batchSize 16, clip none, mse). ε is 1e-3 so that where it is added (√v̂ in torch, √v in TF1) shows.
rs = np.random.default_rng(9)
states = rs.normal(0, 1, size=(64, OBS)).astype(np.float32)
returns = rs.normal(0, 1, size=64).astype(np.float32)
np.savez(os.path.join(OUT, 'ppo-rollout.npz'), states=states, rewards=returns, dones=np.zeros(64, np.float32), returns=returns)
updates = {}
for name, make in (('adam', lambda p: torch.optim.Adam(p, lr=1e-3, eps=1e-3)),
                   ('rmsprop', lambda p: torch.optim.RMSprop(p, lr=1e-3, alpha=0.99, eps=1e-3))):
    net = PpoCritic(OBS)
    net.load_state_dict(ppo.state_dict())
    opt = make(net.parameters())
    v = net(torch.from_numpy(states[:B]))[:, 0]
    loss = torch.mean((torch.from_numpy(returns[:B]) - v) ** 2)
    opt.zero_grad()
    loss.backward()
    opt.step()
    updates[name] = {'loss': float(loss), 'after': [p.detach().numpy().ravel().tolist() for p in net.parameters()]}

with torch.no_grad():
    expected = {
        'batch': {'obs': x.numpy().tolist(), 'act': a.numpy().tolist()},
        'ppo': ppo(x)[:, 0].numpy().tolist(),
        'sac': sac(x, a)[:, 0].numpy().tolist(),
        'torch': torch.__version__,
        'updates': updates,
    }
with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump(expected, f)
    f.write('\n')
print('wrote', sorted(os.listdir(OUT)))

# ---- a critic that goes NaN in PyTorch: relu, torch's default init, SGD lr 1e-3, γ = 1 bootstrapped
# 1-step targets from the critic itself on unnormalised states (×100), sequential batches of 16 of a
# 64-row rollout (episodes of 16). The script records the step of torch's first NaN (in the loss, a
# gradient or an updated parameter), for the test to compare with critic-doctor's replicas.
torch.manual_seed(11)
nan_net = nn.Sequential(nn.Linear(OBS, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
torch.save(nan_net.state_dict(), os.path.join(OUT, 'nan-critic.pt'))
rn = np.random.default_rng(13)
n_states = (rn.normal(0, 1, size=(64, OBS)) * 100).astype(np.float32)
n_rewards = rn.normal(1, 0.1, size=64).astype(np.float32)
n_dones = np.zeros(64, np.float32)
n_dones[15::16] = 1
np.savez(os.path.join(OUT, 'nan-rollout.npz'), states=n_states, rewards=n_rewards, dones=n_dones)
opt = torch.optim.SGD(nan_net.parameters(), lr=1e-3)
S, R, D = torch.from_numpy(n_states), torch.from_numpy(n_rewards), torch.from_numpy(n_dones)
nan_step = None
for step in range(2000):
    rows = torch.arange(16 * step, 16 * step + 16) % 64
    nxt = torch.clamp(rows + 1, max=63)
    with torch.no_grad():
        target = R[rows] + (1 - D[rows]) * nan_net(S[nxt])[:, 0]
    loss = torch.mean((target - nan_net(S[rows])[:, 0]) ** 2)
    opt.zero_grad()
    loss.backward()
    bad = not torch.isfinite(loss) or any(not torch.isfinite(p.grad).all() for p in nan_net.parameters())
    opt.step()
    bad = bad or any(not torch.isfinite(p).all() for p in nan_net.parameters())
    if bad and any(torch.isnan(t).any() for t in [loss, *[p.grad for p in nan_net.parameters()], *nan_net.parameters()]):
        nan_step = step
        break
with open(os.path.join(OUT, 'nan-step.json'), 'w') as f:
    json.dump({'torchNanStep': nan_step, 'torch': torch.__version__}, f)
    f.write('\n')
print('torch NaN at step', nan_step)

# ---- SAC on recorded data (npz with actions), and torch's first update of the Q critic on its first
# 16 rows (precomputed returns as targets, mse, no clipping). Updates go to torch-updates.npz, one
# array per case and parameter, `<case>.<parameter>` (torch's [out, in] layout), `<case>.loss` the
# loss of each step.
rq = np.random.default_rng(17)
q_states = rq.normal(0, 1, size=(64, OBS)).astype(np.float32)
q_actions = rq.uniform(-1, 1, size=(64, ACT)).astype(np.float32)
q_returns = rq.normal(0, 3, size=64).astype(np.float32)
np.savez(os.path.join(OUT, 'sac-rollout.npz'), states=q_states, actions=q_actions, rewards=q_returns, dones=np.zeros(64, np.float32),
         returns=q_returns)
arrays = {}


def train_case(case, make_net, source, make_opt, steps, loss_fn=None, clip=None):
    """`steps` sequential batches of 16 from the rollout, torch's way; records the parameters after and each loss."""
    net = make_net()
    net.load_state_dict(source.state_dict())
    opt = make_opt(net.parameters())
    losses = []
    for step in range(steps):
        rows = slice(16 * step, 16 * step + 16)
        if isinstance(net, SoftQNetwork):
            v = net(torch.from_numpy(q_states[rows]), torch.from_numpy(q_actions[rows]))[:, 0]
            target = torch.from_numpy(q_returns[rows])
        else:
            v = net(torch.from_numpy(states[rows]))[:, 0]
            target = torch.from_numpy(returns[rows])
        loss = loss_fn(v, target) if loss_fn else torch.mean((target - v) ** 2)
        opt.zero_grad()
        loss.backward()
        if clip:
            torch.nn.utils.clip_grad_norm_(net.parameters(), clip)
        opt.step()
        losses.append(float(loss))
    for name, p in net.named_parameters():
        arrays[f'{case}.{name}'] = p.detach().numpy().astype(np.float32)
    arrays[f'{case}.loss'] = np.array(losses, np.float32)


train_case('sac-adam', lambda: SoftQNetwork(OBS, ACT), sac, lambda p: torch.optim.Adam(p, lr=1e-3, eps=1e-3), 1)
train_case('sac-rmsprop', lambda: SoftQNetwork(OBS, ACT), sac, lambda p: torch.optim.RMSprop(p, lr=1e-3, alpha=0.99, eps=1e-3), 1)
# Weight decay on a graph (the SAC critic trains as one): AdamW's decoupled and RMSprop's coupled, two steps.
train_case('sac-adamw', lambda: SoftQNetwork(OBS, ACT), sac, lambda p: torch.optim.AdamW(p, lr=1e-3, eps=1e-3, weight_decay=0.1), 2)
train_case('sac-rmsprop-wd', lambda: SoftQNetwork(OBS, ACT), sac,
           lambda p: torch.optim.RMSprop(p, lr=1e-3, alpha=0.99, eps=1e-3, weight_decay=0.05), 2)
# The presets, three steps each on the PPO critic (ppo-rollout.npz): what each keyword does shows over steps.
train_case('ppo-adamw', lambda: PpoCritic(OBS), ppo, lambda p: torch.optim.AdamW(p, lr=1e-3, eps=1e-3, weight_decay=0.1), 3)
train_case('ppo-adam-wd-clip', lambda: PpoCritic(OBS), ppo, lambda p: torch.optim.Adam(p, lr=1e-3, eps=1e-3, weight_decay=0.01), 3,
           clip=0.5)
train_case('ppo-sgd', lambda: PpoCritic(OBS), ppo, lambda p: torch.optim.SGD(p, lr=1e-2, momentum=0.9, weight_decay=0.01), 3)
train_case('ppo-rmsprop', lambda: PpoCritic(OBS), ppo,
           lambda p: torch.optim.RMSprop(p, lr=1e-3, alpha=0.9, eps=1e-3, weight_decay=0.01, momentum=0.5), 3)
train_case('ppo-smoothl1', lambda: PpoCritic(OBS), ppo, lambda p: torch.optim.Adam(p, lr=1e-3, eps=1e-3), 3,
           loss_fn=lambda v, t: torch.nn.functional.smooth_l1_loss(v, t, beta=0.5))

# ---- Initializers as torch draws them from torch.manual_seed(21): nn.Linear's default
# (kaiming_uniform(a=√5), bias U(±1/√fan_in)) and CleanRL's layer_init (orthogonal, gain √2 / 1.0,
# bias 0) applied after the Linear's own draws, as `layer_init(nn.Linear(...))` does. `tiny` has a
# 3×8 weight (24 values: torch's normal_ redraws the last 16) and a 1×3 one (under 16: the serial path).
torch.manual_seed(21)
default_net = nn.Sequential(nn.Linear(OBS, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
torch.manual_seed(21)
cleanrl_net = nn.Sequential(layer_init(nn.Linear(OBS, 64)), nn.Tanh(), layer_init(nn.Linear(64, 64)), nn.Tanh(),
                            layer_init(nn.Linear(64, 1), std=1.0))
torch.manual_seed(21)
tiny_net = nn.Sequential(layer_init(nn.Linear(OBS, 3)), nn.Tanh(), layer_init(nn.Linear(3, 1), std=1.0))
for case, net in (('default', default_net), ('cleanrl', cleanrl_net), ('tiny', tiny_net)):
    for name, p in net.named_parameters():
        arrays[f'init-{case}.{name}'] = p.detach().numpy().astype(np.float32)
np.savez(os.path.join(OUT, 'torch-updates.npz'), **arrays)


# ---- LayerNorm exported two ways: opset 17's LayerNormalization node, and the ReduceMean / Sub / Pow /
# Sqrt / Div / Mul / Add pattern torch.onnx emits for it below opset 17.
class LnCritic(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(OBS, 64)
        self.ln = nn.LayerNorm(64)
        self.fc2 = nn.Linear(64, 1)
        with torch.no_grad():
            self.ln.weight.uniform_(0.5, 1.5)
            self.ln.bias.uniform_(-0.2, 0.2)

    def forward(self, x):
        return self.fc2(torch.tanh(self.ln(self.fc1(x))))


torch.manual_seed(23)
ln = LnCritic()
for opset, name in ((13, 'ln-critic-op13.onnx'), (17, 'ln-critic.onnx')):
    torch.onnx.export(ln, (x,), os.path.join(OUT, name), input_names=['obs'], output_names=['value'],
                      dynamic_axes={'obs': {0: 'batch'}, 'value': {0: 'batch'}}, opset_version=opset)
# A state_dict in torch.save's legacy (pre-1.6, non-zip) format (its storage keys are object ids: the bytes differ per run).
torch.save(ppo.state_dict(), os.path.join(OUT, 'ppo-critic-legacy.pt'), _use_new_zipfile_serialization=False)
with torch.no_grad():
    expected['ln'] = ln(x)[:, 0].numpy().tolist()
with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump(expected, f)
    f.write('\n')
print('wrote the SAC, preset, init, LayerNorm and legacy fixtures')

# ---- Bad files for the refusal tests: an ONNX input whose width is dynamic (no known feature size),
# and a torch.save file whose pickle names os.system (what a malicious .pt does; it must never run).
torch.onnx.export(SinCritic().fc1, (x,), os.path.join(OUT, 'dynamic-width.onnx'), input_names=['obs'], output_names=['v'],
                  dynamic_axes={'obs': {0: 'batch', 1: 'features'}}, opset_version=13)


class Evil:
    def __reduce__(self):
        return (os.system, ('echo this must never run',))


torch.save({'fc1.weight': Evil()}, os.path.join(OUT, 'evil.pt'))
print('wrote dynamic-width.onnx, evil.pt')

# A training checkpoint (a dict holding the critic's state_dict under a key): refused, naming the key to save.
torch.save({'critic': ppo.state_dict(), 'step': 10}, os.path.join(OUT, 'checkpoint.pt'))
print('wrote checkpoint.pt')

# ---- A Stable-Baselines3 PPO save (`model.save("ppo")` → ppo.zip), to SB3's layout (stable_baselines3/
# common/save_util.py, save_to_zip_file: `data` JSON, `policy.pth` = th.save(policy.state_dict()),
# `policy.optimizer.pth`, `pytorch_variables.pth`, version and system info, members opened with
# force_zip64=True). Debian has no SB3: the policy is a module with ActorCriticPolicy's attribute names
# (mlp_extractor.policy_net / value_net, action_net, value_net, log_std; net_arch [64, 64], tanh), saved by
# torch itself; the archive is written by zipfile as SB3 writes it.
import zipfile  # noqa: E402


class MlpExtractor(nn.Module):
    def __init__(self, obs):
        super().__init__()
        self.policy_net = nn.Sequential(nn.Linear(obs, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh())
        self.value_net = nn.Sequential(nn.Linear(obs, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh())


class Sb3Policy(nn.Module):
    def __init__(self, obs, act):
        super().__init__()
        self.log_std = nn.Parameter(torch.zeros(act))
        self.mlp_extractor = MlpExtractor(obs)
        self.action_net = nn.Linear(64, act)
        self.value_net = nn.Linear(64, 1)

    def value(self, x):
        return self.value_net(self.mlp_extractor.value_net(x))


torch.manual_seed(29)
policy = Sb3Policy(OBS, ACT)
with zipfile.ZipFile(os.path.join(OUT, 'sb3-ppo.zip'), 'w') as archive:
    fixed = lambda name: zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # noqa: E731 (reproducible bytes)
    archive.writestr(fixed('data'), json.dumps({'policy_class': {':type:': "<class 'abc.ABCMeta'>"}, 'n_envs': 1}))
    with archive.open('pytorch_variables.pth', mode='w', force_zip64=True) as f:
        torch.save({}, f)
    for name, obj in (('policy', policy.state_dict()), ('policy.optimizer', torch.optim.Adam(policy.parameters()).state_dict())):
        with archive.open(name + '.pth', mode='w', force_zip64=True) as f:
            torch.save(obj, f)
    archive.writestr(fixed('_stable_baselines3_version'), '2.3.2')
    archive.writestr(fixed('system_info.txt'), '- torch: ' + torch.__version__ + '\n')
with torch.no_grad():
    expected['sb3'] = policy.value(x)[:, 0].numpy().tolist()
with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump(expected, f)
    f.write('\n')
print('wrote sb3-ppo.zip')
