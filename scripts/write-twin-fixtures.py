"""Twin Q critics with target networks, trained by PyTorch the way Stable-Baselines3's TD3 trains them.

Run with Debian's PyTorch: /usr/bin/python3 scripts/write-twin-fixtures.py. Writes fixtures/twin/:
- twin-critic.pt: an SB3-shaped state_dict, `critic.qf0.{0,2,4}`, `critic.qf1.*` (cat(obs 6, act 2) ->
  64 relu -> 64 relu -> 1, nn.Linear's default init from torch.manual_seed(5)) and `critic_target.*`,
  the targets a little apart from the critics (as after training), so a loader that ignores them fails.
- twin-rollout.npz: 64 transitions (states, actions, rewards, dones; an episode ends at row 20).
- twin-expected.npz: torch's parameters after each of 3 steps (`after<k>.<name>`), the target
  networks after each Polyak update (`target<k>.<name>`) and each step's loss.

A step is SB3 td3.py's critic update with the data's next action in place of the actor's:
  next_q = min over heads of critic_target(s', a'); y = r + (1 - done) * gamma * next_q
  loss = sum over heads of mse_loss(q_i(s, a), y); Adam step; polyak_update(tau).
Batches are the rollout's rows in order, 16 at a time, as critic-doctor's sequential sampler draws them.
"""
import os

import numpy as np
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'twin')
os.makedirs(OUT, exist_ok=True)
OBS, ACT, B, GAMMA, TAU, STEPS = 6, 2, 16, 0.99, 0.05, 3


def q_net():
    return nn.Sequential(nn.Linear(OBS + ACT, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))


class Critic(nn.Module):
    """SB3's ContinuousCritic: q_networks registered as qf0, qf1, each taking cat([obs, act], 1)."""

    def __init__(self):
        super().__init__()
        self.qf0 = q_net()
        self.qf1 = q_net()

    def forward(self, obs, act):
        x = torch.cat([obs, act], dim=1)
        return self.qf0(x), self.qf1(x)


torch.manual_seed(5)
critic = Critic()
critic_target = Critic()
critic_target.load_state_dict(critic.state_dict())
with torch.no_grad():
    for p in critic_target.parameters():
        p.add_(0.01 * torch.randn_like(p))


class Policy(nn.Module):
    """Holds critic and critic_target under SB3's names (`critic.qf0.0.weight`, `critic_target.…`)."""

    def __init__(self):
        super().__init__()
        self.critic = critic
        self.critic_target = critic_target


torch.save(Policy().state_dict(), os.path.join(OUT, 'twin-critic.pt'))

rng = np.random.default_rng(8)
states = rng.normal(0, 1, size=(64, OBS)).astype(np.float32)
actions = rng.uniform(-1, 1, size=(64, ACT)).astype(np.float32)
rewards = rng.normal(0, 1, size=64).astype(np.float32)
dones = np.zeros(64, np.float32)
dones[20] = 1
np.savez(os.path.join(OUT, 'twin-rollout.npz'), states=states, actions=actions, rewards=rewards, dones=dones)

S, A, R, D = (torch.from_numpy(x) for x in (states, actions, rewards, dones))
opt = torch.optim.Adam(critic.parameters(), lr=1e-3)
out = {}
losses = []
for step in range(STEPS):
    rows = torch.arange(B * step, B * step + B)
    nxt = rows + 1
    with torch.no_grad():
        next_q = torch.cat(critic_target(S[nxt], A[nxt]), dim=1)
        next_q, _ = torch.min(next_q, dim=1, keepdim=True)
        y = R[rows, None] + (1 - D[rows, None]) * GAMMA * next_q
    current = critic(S[rows], A[rows])
    loss = sum(nn.functional.mse_loss(q, y) for q in current)
    opt.zero_grad()
    loss.backward()
    opt.step()
    losses.append(float(loss))
    with torch.no_grad():  # SB3's polyak_update
        for p, t in zip(critic.parameters(), critic_target.parameters()):
            t.mul_(1 - TAU)
            torch.add(t, p, alpha=TAU, out=t)
    for name, p in critic.named_parameters():
        out[f'after{step}.{name}'] = p.detach().numpy().copy()
    for name, p in critic_target.named_parameters():
        out[f'target{step}.{name}'] = p.detach().numpy().copy()
out['loss'] = np.array(losses, np.float32)
np.savez(os.path.join(OUT, 'twin-expected.npz'), **out)
print('losses', losses, 'torch', torch.__version__)

# ---- The real SB3 SAC file (../shared/real-models/sb3-sac-pendulum-v1.zip, not copied here): torch's
# forward of its own weights on a pendulum-like rollout. sb3-sac-expected.json holds, for the first
# sequential batch of 16, each head's mse against y = r + (1 - done) * gamma * min(critic_target(s', a')).
import io
import json
import zipfile

REAL = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'real-models', 'sb3-sac-pendulum-v1.zip')
rp = np.random.default_rng(9)
p_states = np.stack([np.cos(th := rp.uniform(-np.pi, np.pi, 64)), np.sin(th), rp.uniform(-8, 8, 64)], 1).astype(np.float32)
p_actions = rp.uniform(-2, 2, size=(64, 1)).astype(np.float32)
p_rewards = (-(th ** 2) - 0.1 * p_states[:, 2] ** 2).astype(np.float32)
np.savez(os.path.join(OUT, 'pendulum-rollout.npz'), states=p_states, actions=p_actions, rewards=p_rewards,
         dones=np.zeros(64, np.float32))
if os.path.exists(REAL):
    sd = torch.load(io.BytesIO(zipfile.ZipFile(REAL).read('policy.pth')), map_location='cpu')

    def q(prefix, x):
        for i in (0, 2):
            x = torch.relu(x @ sd[f'{prefix}.{i}.weight'].T + sd[f'{prefix}.{i}.bias'])
        return x @ sd[f'{prefix}.4.weight'].T + sd[f'{prefix}.4.bias']

    S, A, R = (torch.from_numpy(x) for x in (p_states, p_actions, p_rewards))
    rows, nxt = torch.arange(16), torch.arange(1, 17)
    with torch.no_grad():
        xn = torch.cat([S[nxt], A[nxt]], 1)
        next_q = torch.min(torch.cat([q('critic_target.qf0', xn), q('critic_target.qf1', xn)], 1), 1, keepdim=True)[0]
        y = R[rows, None] + GAMMA * next_q
        x = torch.cat([S[rows], A[rows]], 1)
        losses = [float(nn.functional.mse_loss(q(f'critic.qf{h}', x), y)) for h in (0, 1)]
    with open(os.path.join(OUT, 'sb3-sac-expected.json'), 'w') as f:
        json.dump({'file': 'sb3-sac-pendulum-v1.zip', 'gamma': GAMMA, 'losses': losses, 'torch': torch.__version__}, f)
        f.write('\n')
    print('sb3 sac losses', losses)
