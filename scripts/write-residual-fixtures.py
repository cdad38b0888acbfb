"""Writes fixtures/residual/: a critic with residual connections, exported by torch.onnx.export (the
real writer), and torch's own numbers for it — its forward, MSE and one SGD step by autograd.

    h1 = relu(fc0(x)); h2 = relu(fc1(h1)); h3 = fc2(h2) + h1; h4 = tanh(fc3(h3)) + h3; v = out(h4)

fc2's sum reads fc0's output (through the Relu node), fc3's reads fc2's sum: two Add nodes of two
activations each. Run: /usr/bin/python3 scripts/write-residual-fixtures.py
"""
import json
import os

import numpy as np
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'residual')
os.makedirs(OUT, exist_ok=True)
OBS, W, B, LR = 6, 16, 32, 0.05


class ResidualCritic(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc0 = nn.Linear(OBS, W)
        self.fc1 = nn.Linear(W, W)
        self.fc2 = nn.Linear(W, W)
        self.fc3 = nn.Linear(W, W)
        self.out = nn.Linear(W, 1)

    def forward(self, x):
        h1 = torch.relu(self.fc0(x))
        h3 = self.fc2(torch.relu(self.fc1(h1))) + h1
        h4 = torch.tanh(self.fc3(h3)) + h3
        return self.out(h4)


torch.manual_seed(41)
net = ResidualCritic()
x = torch.randn(B, OBS) * 1.5
torch.onnx.export(net, (x,), os.path.join(OUT, 'residual-critic.onnx'), input_names=['obs'], output_names=['value'],
                  dynamic_axes={'obs': {0: 'batch'}, 'value': {0: 'batch'}}, opset_version=13)
v = net(x)
loss = (v ** 2).mean()  # returns 0: mean((0 − v)²)
opt = torch.optim.SGD(net.parameters(), lr=LR)
opt.zero_grad()
loss.backward()
opt.step()
expected = {
    'obs': x.numpy().tolist(),
    'v': v.detach()[:, 0].numpy().tolist(),
    'loss': float(loss),
    'lr': LR,
    'after': {n: p.detach().numpy().tolist() for n, p in net.named_parameters()},
}
with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump(expected, f)
    f.write('\n')
print('wrote residual-critic.onnx, expected.json; loss', float(loss))
