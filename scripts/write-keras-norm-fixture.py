"""Writes fixtures/keras/ln-critic-keras2.h5 and ln-expected.json (and bn-critic-keras2.h5, bn-expected.json: a
batch-norm critic, below): a tf.keras 2 Sequential critic of
Dense (linear) → LayerNormalization → Activation blocks, in the legacy HDF5 layout (h5py, as
scripts/write-keras-fixtures.py writes it; Debian has no Keras), with numpy's forward pass and MSE.

obs 6 → Dense 24 → LayerNormalization (ε 1e-3, Keras's default; γ, β drawn) → Activation relu
→ Dense 12 → Activation elu → Dense 1. Run: /usr/bin/python3 scripts/write-keras-norm-fixture.py
"""
import json
import os

import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'keras')
rng = np.random.default_rng(31)
f32 = np.float32


def dense_cfg(name, units):
    return {'class_name': 'Dense', 'config': {'name': name, 'trainable': True, 'dtype': 'float32', 'units': units,
                                              'activation': 'linear', 'use_bias': True}}


def write_h5(name, model_config, layer_names, weights, variables):
    """A tf.keras 2 legacy HDF5 model file: the config as an attribute, each layer's weights named <layer>/<var>:0."""
    with h5py.File(os.path.join(OUT, name), 'w', track_order=True) as f:
        f.attrs['keras_version'] = '2.15.0'
        f.attrs['backend'] = 'tensorflow'
        f.attrs['model_config'] = json.dumps(model_config)
        g = f.create_group('model_weights')
        g.attrs['layer_names'] = [n.encode() for n in layer_names]
        for n in layer_names:
            lg = g.create_group(n)
            names = [f'{n}/{v}:0' for v in variables.get(n, ())]
            lg.attrs['weight_names'] = [s.encode() for s in names]
            for s, arr in zip(names, weights.get(n, [])):
                lg.create_dataset(s, data=arr)


w = {
    'dense': [rng.normal(0, 0.5, (6, 24)).astype(f32), rng.normal(0, 0.1, 24).astype(f32)],
    'layer_normalization': [rng.uniform(0.5, 1.5, 24).astype(f32), rng.uniform(-0.2, 0.2, 24).astype(f32)],
    'dense_1': [rng.normal(0, 0.3, (24, 12)).astype(f32), rng.normal(0, 0.1, 12).astype(f32)],
    'dense_2': [rng.normal(0, 0.3, (12, 1)).astype(f32), np.zeros(1, f32)],
}
var = {'dense': ('kernel', 'bias'), 'layer_normalization': ('gamma', 'beta'), 'dense_1': ('kernel', 'bias'),
       'dense_2': ('kernel', 'bias')}
config = {'class_name': 'Sequential', 'config': {'name': 'sequential', 'layers': [
    {'class_name': 'InputLayer', 'config': {'batch_input_shape': [None, 6], 'dtype': 'float32', 'name': 'obs'}},
    dense_cfg('dense', 24),
    {'class_name': 'LayerNormalization', 'config': {'name': 'layer_normalization', 'trainable': True, 'dtype': 'float32',
                                                    'axis': [1], 'epsilon': 0.001, 'center': True, 'scale': True}},
    {'class_name': 'Activation', 'config': {'name': 'activation', 'trainable': True, 'dtype': 'float32', 'activation': 'relu'}},
    dense_cfg('dense_1', 12),
    {'class_name': 'Activation', 'config': {'name': 'activation_1', 'trainable': True, 'dtype': 'float32', 'activation': 'elu'}},
    dense_cfg('dense_2', 1)]}}

write_h5('ln-critic-keras2.h5', config, ['obs', 'dense', 'layer_normalization', 'activation', 'dense_1', 'activation_1', 'dense_2'], w, var)

# numpy's forward in float64 from the float32 weights, on a fixed batch with returns 0: loss = mean(v²).
x = rng.normal(0, 1, (32, 6)).astype(f32)
h = x.astype(np.float64) @ w['dense'][0] + w['dense'][1]
mu = h.mean(1, keepdims=True)
var_ = h.var(1, keepdims=True)
h = (h - mu) / np.sqrt(var_ + 1e-3) * w['layer_normalization'][0] + w['layer_normalization'][1]
h = np.maximum(h, 0)
h = h @ w['dense_1'][0] + w['dense_1'][1]
h = np.where(h > 0, h, np.expm1(h))
v = (h @ w['dense_2'][0] + w['dense_2'][1])[:, 0]
with open(os.path.join(OUT, 'ln-expected.json'), 'w') as fh:
    json.dump({'obs': x.tolist(), 'v': v.tolist(), 'loss': float(np.mean(v ** 2))}, fh)
    fh.write('\n')
print('wrote ln-critic-keras2.h5, ln-expected.json; loss', float(np.mean(v ** 2)))

# ---- A batch-norm critic: obs 6 → Dense 16 → BatchNormalization (momentum 0.9, ε 1e-3, moving
# statistics it had reached) → Activation tanh → Dense 1, with numpy's training-mode forward (batch
# statistics, biased variance as Keras's moments), its loss, the moving averages after that batch
# (m ← 0.9·m + 0.1·statistic) and the evaluation-mode forward (the moving statistics).
bw = {
    'dense': [rng.normal(0, 0.5, (6, 16)).astype(f32), rng.normal(0, 0.1, 16).astype(f32)],
    'batch_normalization': [rng.uniform(0.5, 1.5, 16).astype(f32), rng.uniform(-0.2, 0.2, 16).astype(f32),
                            rng.normal(0, 0.3, 16).astype(f32), rng.uniform(0.5, 2.0, 16).astype(f32)],
    'dense_1': [rng.normal(0, 0.3, (16, 1)).astype(f32), np.zeros(1, f32)],
}
bvar = {'dense': ('kernel', 'bias'), 'batch_normalization': ('gamma', 'beta', 'moving_mean', 'moving_variance'),
        'dense_1': ('kernel', 'bias')}
bconfig = {'class_name': 'Sequential', 'config': {'name': 'sequential', 'layers': [
    {'class_name': 'InputLayer', 'config': {'batch_input_shape': [None, 6], 'dtype': 'float32', 'name': 'obs'}},
    dense_cfg('dense', 16),
    {'class_name': 'BatchNormalization', 'config': {'name': 'batch_normalization', 'trainable': True, 'dtype': 'float32',
                                                    'axis': [1], 'momentum': 0.9, 'epsilon': 0.001, 'center': True,
                                                    'scale': True}},
    {'class_name': 'Activation', 'config': {'name': 'activation', 'trainable': True, 'dtype': 'float32', 'activation': 'tanh'}},
    dense_cfg('dense_1', 1)]}}
write_h5('bn-critic-keras2.h5', bconfig, ['obs', 'dense', 'batch_normalization', 'activation', 'dense_1'], bw, bvar)

gamma, beta, mm, mv = (a.astype(np.float64) for a in bw['batch_normalization'])
pre = x.astype(np.float64) @ bw['dense'][0] + bw['dense'][1]


def head(h):
    return (np.tanh(h) @ bw['dense_1'][0] + bw['dense_1'][1])[:, 0]


mean, var_ = pre.mean(0), pre.var(0)
v_train = head((pre - mean) / np.sqrt(var_ + 1e-3) * gamma + beta)
v_eval = head((pre - mm) / np.sqrt(mv + 1e-3) * gamma + beta)
with open(os.path.join(OUT, 'bn-expected.json'), 'w') as fh:
    json.dump({'obs': x.tolist(), 'loss': float(np.mean(v_train ** 2)), 'vEval': v_eval.tolist(),
               'movingMean': (0.9 * mm + 0.1 * mean).tolist(), 'movingVariance': (0.9 * mv + 0.1 * var_).tolist()}, fh)
    fh.write('\n')
print('wrote bn-critic-keras2.h5, bn-expected.json; loss', float(np.mean(v_train ** 2)))

# ---- A critic the engine does not train: LayerNormalization after the nonlinearity (Dense relu → LN):
# refused by name (the engine normalises between x·W + b and the nonlinearity).
pconfig = {'class_name': 'Sequential', 'config': {'name': 'sequential', 'layers': [
    {'class_name': 'InputLayer', 'config': {'batch_input_shape': [None, 6], 'dtype': 'float32', 'name': 'obs'}},
    {**dense_cfg('dense', 8), 'config': {**dense_cfg('dense', 8)['config'], 'activation': 'relu'}},
    {'class_name': 'LayerNormalization', 'config': {'name': 'post_norm', 'trainable': True, 'dtype': 'float32',
                                                    'axis': [1], 'epsilon': 0.001, 'center': True, 'scale': True}},
    dense_cfg('dense_1', 1)]}}
pw = {'dense': [np.ones((6, 8), f32), np.zeros(8, f32)], 'post_norm': [np.ones(8, f32), np.zeros(8, f32)],
      'dense_1': [np.ones((8, 1), f32), np.zeros(1, f32)]}
pvar = {'dense': ('kernel', 'bias'), 'post_norm': ('gamma', 'beta'), 'dense_1': ('kernel', 'bias')}
write_h5('post-norm-critic.h5', pconfig, ['obs', 'dense', 'post_norm', 'dense_1'], pw, pvar)
print('wrote post-norm-critic.h5')

# ---- Another refusal: a tf.keras 2 Functional critic whose two inputs are added, not concatenated
# (obs 3 + act 3 → Dense 1): exit 2 saying how a Q(s, a) critic's inputs may join.
node = lambda *names: [[[n, 0, 0, {}] for n in names]]
inp = lambda n: {'class_name': 'InputLayer', 'name': n, 'inbound_nodes': [],
                 'config': {'batch_input_shape': [None, 3], 'dtype': 'float32', 'sparse': False, 'name': n}}
aconfig = {'class_name': 'Functional', 'config': {'name': 'q', 'layers': [
    inp('obs'), inp('act'),
    {'class_name': 'Add', 'name': 'add', 'config': {'name': 'add', 'trainable': True}, 'inbound_nodes': node('obs', 'act')},
    {'class_name': 'Dense', 'name': 'v', 'config': dense_cfg('v', 1)['config'], 'inbound_nodes': node('add')}],
    'input_layers': [['obs', 0, 0], ['act', 0, 0]], 'output_layers': [['v', 0, 0]]}}
write_h5('inputs-added-critic.h5', aconfig, ['obs', 'act', 'add', 'v'], {'v': [np.ones((3, 1), f32), np.zeros(1, f32)]},
         {'v': ('kernel', 'bias')})
print('wrote inputs-added-critic.h5')
