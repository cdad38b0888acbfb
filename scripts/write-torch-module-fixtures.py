"""Writes fixtures/torch-modules/: whole PyTorch modules as people save them, read as data by critic-doctor.

Run with Debian's PyTorch (python3-torch 1.13): /usr/bin/python3 scripts/write-torch-module-fixtures.py
- ppo-module.pt: torch.save(critic) of fixtures/torch/ppo-critic.pt's PPO critic (a whole pickled module:
  __main__.PpoCritic, nn.Sequential, nn.Linear, nn.Tanh as classes the pickle names, parameters rebuilt by
  torch._utils._rebuild_parameter).
- ppo-script.pt: torch.jit.script(critic).save(...), ppo-trace.pt: torch.jit.trace(critic, x).save(...) (TorchScript
  archives: data.pkl of __torch__ classes, code/, constants.pkl).
- ppo-module-legacy.pt: the same module in torch.save's legacy (non-zip) format.
- twin-module.pt: an SB3-style twin critic module (qf0, qf1: Sequential of Linear/ReLU on cat(obs 3, act 1)).
- evil-module.pt: a module whose pickle asks for os.system, builtins.eval and subprocess.Popen calls (each would
  create a file under /tmp); critic-doctor must make none of them.
- expected.json: every tensor's name, shape and values as state_dict() gives them (float32), per file.
"""
import json
import os
import subprocess
import builtins

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(__file__)
OUT = os.path.join(HERE, '..', 'fixtures', 'torch-modules')
os.makedirs(OUT, exist_ok=True)


class PpoCritic(nn.Module):
    def __init__(self, obs):
        super().__init__()
        self.critic = nn.Sequential(nn.Linear(obs, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))

    def forward(self, x):
        return self.critic(x)


class TwinCritic(nn.Module):
    """SB3's ContinuousCritic layout: q_networks registered as qf0, qf1."""

    def __init__(self, obs, act):
        super().__init__()
        for i in range(2):
            self.add_module(f'qf{i}', nn.Sequential(nn.Linear(obs + act, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                                                    nn.Linear(16, 1)))

    def forward(self, obs, act):
        x = torch.cat([obs, act], 1)
        return self.qf0(x), self.qf1(x)


ppo = PpoCritic(8)
ppo.load_state_dict(torch.load(os.path.join(HERE, '..', 'fixtures', 'torch', 'ppo-critic.pt')))
torch.save(ppo, os.path.join(OUT, 'ppo-module.pt'))
torch.save(ppo, os.path.join(OUT, 'ppo-module-legacy.pt'), _use_new_zipfile_serialization=False)
torch.jit.script(ppo).save(os.path.join(OUT, 'ppo-script.pt'))
torch.jit.trace(ppo, torch.zeros(2, 8)).save(os.path.join(OUT, 'ppo-trace.pt'))
torch.manual_seed(7)
twin = TwinCritic(3, 1)
torch.save(twin, os.path.join(OUT, 'twin-module.pt'))

MARK = '/tmp/critic-doctor-must-not-exist'


class SystemCall:
    def __reduce__(self):
        return (os.system, (f'touch {MARK}-system',))


class EvalCall:
    def __reduce__(self):
        return (builtins.eval, (f"open('{MARK}-eval', 'w')",))


class PopenCall:
    def __reduce__(self):
        return (subprocess.Popen, (['touch', f'{MARK}-popen'],))


evil = PpoCritic(8)
evil.load_state_dict(ppo.state_dict())
# Attributes pickled into the module's state: each a call the unpickler would make if it ran anything.
evil.hook_a = SystemCall()
evil.hook_b = EvalCall()
evil.critic[1].hook_c = PopenCall()
torch.save(evil, os.path.join(OUT, 'evil-module.pt'))
for suffix in ('system', 'eval', 'popen'):
    assert not os.path.exists(f'{MARK}-{suffix}')


def tensors(sd):
    return [{'name': k, 'shape': list(v.shape), 'values': v.detach().float().flatten().tolist()} for k, v in sd.items()]


# What each file must read as: the module's own state_dict() (TorchScript: the same names and values).
expected = {'ppo': tensors(ppo.state_dict()), 'twin': tensors(twin.state_dict())}
with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump(expected, f)
    f.write('\n')
print('wrote', sorted(os.listdir(OUT)))
