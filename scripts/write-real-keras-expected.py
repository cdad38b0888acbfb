"""Numbers for the real Keras files in ../shared/real-models (not copied here), read by h5py.

Run with /usr/bin/python3 scripts/write-real-keras-expected.py. Writes fixtures/keras-real/:
- churn-rollout.npz: 64 rows of 12 features with precomputed returns (the churn models take 12 inputs).
- expected.json: for churn-ann.keras and churn-ann.h5, the weights' forward pass in float32 numpy
  (relu, relu, sigmoid) on the first 16 rows and its mse against the returns: the step-0 loss a run
  of either file on that data must report.
The .keras file's weights are read where Keras 3's saving_lib puts them (layers/dense, dense_1,
dense_2: the class in snake case with a counter, not the layer names dense_6…); the .h5 file's by
its layer_names and weight_names.
"""
import io
import json
import os
import zipfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.join(HERE, '..', '..', 'shared', 'real-models')
OUT = os.path.join(HERE, '..', 'fixtures', 'keras-real')
os.makedirs(OUT, exist_ok=True)

rng = np.random.default_rng(12)
states = rng.normal(0, 1, size=(64, 12)).astype(np.float32)
returns = rng.uniform(0, 1, size=64).astype(np.float32)
np.savez(os.path.join(OUT, 'churn-rollout.npz'), states=states, rewards=returns, dones=np.zeros(64, np.float32), returns=returns)


def keras_weights(path):
    with zipfile.ZipFile(path) as z:
        f = h5py.File(io.BytesIO(z.read('model.weights.h5')), 'r')
        return [(np.array(f[f'layers/{g}/vars/0']), np.array(f[f'layers/{g}/vars/1'])) for g in ('dense', 'dense_1', 'dense_2')]


def h5_weights(path):
    f = h5py.File(path, 'r')
    mw = f['model_weights']
    out = []
    for name in mw.attrs['layer_names']:
        g = mw[name]
        names = [n.decode() if isinstance(n, bytes) else n for n in g.attrs['weight_names']]
        if names:
            out.append((np.array(g[names[0]]), np.array(g[names[1]])))
    return out


def loss(weights):
    x = states[:16]
    for i, (k, b) in enumerate(weights):
        x = (x @ k + b).astype(np.float32)
        x = np.maximum(x, 0) if i < 2 else (1 / (1 + np.exp(-x.astype(np.float64)))).astype(np.float32)
    return float(np.mean((returns[:16].astype(np.float64) - x[:, 0]) ** 2))


expected = {
    'churn-ann.keras': {'loss': loss(keras_weights(os.path.join(REAL, 'churn-ann.keras')))},
    'churn-ann.h5': {'loss': loss(h5_weights(os.path.join(REAL, 'churn-ann.h5')))},
}
with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump(expected, f, indent=1)
    f.write('\n')
print(expected)
