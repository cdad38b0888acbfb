"""Writes fixtures/keras/*.h5: Keras models in the legacy HDF5 layout, for test/own-model/keras-h5.test.ts.

Keras (and TensorFlow) are not packaged by Debian, so these are written with h5py (python3-h5py) to
the layout keras/src/legacy/saving/legacy_h5_format.py writes (save_model_to_hdf5 and
save_weights_to_hdf5_group): root attributes model_config (JSON), keras_version, backend;
model_weights/<layer>/ with a weight_names attribute naming datasets under the layer's group.
Not checked against a file Keras itself wrote. Run: /usr/bin/python3 scripts/write-keras-fixtures.py
"""
import json
import re
import os
import shutil
import zipfile

import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'keras')
rng = np.random.default_rng(7)


def glorot(n_in, n_out):
    lim = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-lim, lim, size=(n_in, n_out)).astype(np.float32)


def dense_cfg(name, units, activation):
    return {'name': name, 'trainable': True, 'dtype': 'float32', 'units': units, 'activation': activation,
            'use_bias': True}


def write(path, config, layers, weight_name, keras_version, weights_only=False):
    """layers: [(name, kernel, bias)]; weight_name(layer, var) gives the stored weight name."""
    with h5py.File(os.path.join(OUT, path), 'w') as f:
        group = f
        if not weights_only:
            f.attrs['keras_version'] = keras_version
            f.attrs['backend'] = 'tensorflow'
            f.attrs['model_config'] = json.dumps(config)
            group = f.create_group('model_weights')
        group.attrs['layer_names'] = [n.encode('utf8') for n, _, _ in layers]
        group.attrs['backend'] = 'tensorflow'
        group.attrs['keras_version'] = keras_version
        for name, k, b in layers:
            g = group.create_group(name)
            names = [weight_name(name, 'kernel'), weight_name(name, 'bias')]
            g.attrs['weight_names'] = [n.encode('utf8') for n in names]
            g.create_dataset(names[0], data=k)
            g.create_dataset(names[1], data=b)


# A PPO-style critic: obs 5 -> 16 tanh -> 16 tanh -> 1, tf.keras 2 Sequential (batch_input_shape).
ppo = [('dense', glorot(5, 16), np.full(16, 0.1, np.float32)),
       ('dense_1', glorot(16, 16), np.full(16, 0.1, np.float32)),
       ('dense_2', glorot(16, 1), np.zeros(1, np.float32))]
seq = {'class_name': 'Sequential', 'config': {'name': 'sequential', 'layers': [
    {'class_name': 'InputLayer', 'config': {'batch_input_shape': [None, 5], 'dtype': 'float32', 'name': 'dense_input'}},
    {'class_name': 'Dense', 'config': dense_cfg('dense', 16, 'tanh')},
    {'class_name': 'Dense', 'config': dense_cfg('dense_1', 16, 'tanh')},
    {'class_name': 'Dense', 'config': dense_cfg('dense_2', 1, 'linear')}]}}
write('critic-keras2.h5', seq, ppo, lambda layer, var: f'{layer}/{var}:0', '2.15.0')
write('critic-weights-only.h5', seq, ppo, lambda layer, var: f'{layer}/{var}:0', '2.15.0', weights_only=True)

# The same critic as a Keras 3 Functional model (batch_shape, keras_history inbound nodes, relu).
def k3_layer(name, units, act, inbound):
    return {'module': 'keras.layers', 'class_name': 'Dense', 'config': dense_cfg(name, units, act),
            'registered_name': None, 'name': name,
            'inbound_nodes': [{'args': [{'class_name': '__keras_tensor__',
                                         'config': {'shape': [None, 16], 'dtype': 'float32',
                                                    'keras_history': [inbound, 0, 0]}}], 'kwargs': {}}]}


fun = {'module': 'keras', 'class_name': 'Functional', 'config': {'name': 'critic', 'layers': [
    {'module': 'keras.layers', 'class_name': 'InputLayer', 'name': 'obs',
     'config': {'batch_shape': [None, 5], 'dtype': 'float32', 'name': 'obs'}, 'inbound_nodes': []},
    k3_layer('dense', 16, 'relu', 'obs'), k3_layer('dense_1', 16, 'relu', 'dense'),
    k3_layer('dense_2', 1, 'linear', 'dense_1')],
    'input_layers': [['obs', 0, 0]], 'output_layers': [['dense_2', 0, 0]]}}
write('critic-keras3-functional.h5', fun, ppo, lambda layer, var: f'critic/{layer}/{var}', '3.3.3')

# A layer critic-doctor does not rebuild (a Lambda): refused, naming the layer and its class.
q = json.loads(json.dumps(fun))
q['config']['layers'].insert(2, {'module': 'keras.layers', 'class_name': 'Lambda', 'name': 'scale',
                                 'config': {'name': 'scale', 'function': 'lambda x: x * 2'}, 'inbound_nodes': []})
write('critic-lambda.h5', q, ppo, lambda layer, var: f'critic/{layer}/{var}', '3.3.3')

# ---- compiled models, with optimizer state, and the numbers a test checks them against --------
# A small recorded rollout for them (npz: states, rewards, dones, returns): a run with
# `targets: precomputed, sampling: sequential, batchSize: 8` trains on rows 0..7 first.
B = 8
states = rng.normal(0, 1, size=(64, 5)).astype(np.float32)
returns = rng.normal(0, 2, size=64).astype(np.float32)
np.savez(os.path.join(OUT, 'rollout.npz'), states=states, rewards=returns, dones=np.zeros(64, np.float32),
         returns=returns)

ACT = {'tanh': np.tanh, 'relu': lambda x: np.maximum(x, 0), 'linear': lambda x: x}
DACT = {'tanh': lambda y: 1 - y * y, 'relu': lambda y: (y > 0).astype(np.float64), 'linear': lambda y: np.ones_like(y)}


def forward(layers, acts, x):
    hs = [x.astype(np.float64)]
    for (_, k, b), a in zip(layers, acts):
        hs.append(ACT[a](hs[-1] @ k.astype(np.float64) + b.astype(np.float64)))
    return hs


def mse_grads(layers, acts, x, y):
    """The loss mean((y − v)²) on a batch and its gradient for every kernel and bias (float64)."""
    hs = forward(layers, acts, x)
    v = hs[-1][:, 0]
    loss = float(np.mean((y - v) ** 2))
    d = (-2.0 * (y - v) / len(y))[:, None]
    grads = []
    for i in range(len(layers) - 1, -1, -1):
        d = d * DACT[acts[i]](hs[i + 1])
        grads.append((hs[i].T @ d, d.sum(0)))
        d = d @ layers[i][1].astype(np.float64).T
    return loss, v, grads[::-1]


def flat_params(layers):
    return [t for _, k, b in layers for t in (k, b)]


acts = ['tanh', 'tanh', 'linear']
loss0, v0, grads = mse_grads(ppo, acts, states[:B], returns[:B])
g = [t for kb in grads for t in kb]
params = flat_params(ppo)

# Keras 2 (tf.keras 2.15, the ≥ 2.11 optimizer): Adam, compiled with mse, stopped at iteration 5400.
it = 5400
lr, b1, b2, eps = 1e-3, 0.9, 0.999, 1e-7
m0 = [rng.normal(0, 0.01, size=p.shape).astype(np.float32) for p in params]
v0s = [rng.uniform(1e-5, 1e-4, size=p.shape).astype(np.float32) for p in params]
t = it + 1
alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
adam_after = []
for p, gi, m, v in zip(params, g, m0, v0s):
    m1 = m + (gi - m) * (1 - b1)
    v1 = v + (gi * gi - v) * (1 - b2)
    adam_after.append(p - alpha * m1 / (np.sqrt(v1) + eps))
training = {'loss': 'mse', 'metrics': None, 'optimizer_config': {'class_name': 'Adam', 'config': {
    'name': 'Adam', 'learning_rate': lr, 'beta_1': b1, 'beta_2': b2, 'epsilon': eps, 'amsgrad': False,
    'clipnorm': None, 'global_clipnorm': None, 'clipvalue': None, 'use_ema': False, 'weight_decay': None,
    'is_legacy_optimizer': False, 'jit_compile': True}}}
write('critic-adam-keras2.h5', seq, ppo, lambda layer, var: f'{layer}/{var}:0', '2.15.0')
with h5py.File(os.path.join(OUT, 'critic-adam-keras2.h5'), 'a') as f:
    f.attrs['training_config'] = json.dumps(training)
    og = f.create_group('optimizer_weights')
    names = ['Adam/iteration:0']
    og.create_dataset(names[0], data=np.int64(it))
    var_names = [(layer, var) for layer, _, _ in ppo for var in ('kernel', 'bias')]
    for kind, arrays in (('m', m0), ('v', v0s)):
        for (layer, var), a in zip(var_names, arrays):
            n = f'Adam/{kind}/{layer}/{var}:0'
            names.append(n)
            og.create_dataset(n, data=a)
    og.attrs['weight_names'] = [n.encode('utf8') for n in names]

def snake_groups(layers):
    """keras saving_lib's group names for a list of layers: naming.to_snake_case(class) + a per-class counter."""
    used, out = {}, []
    for l in layers:
        n = re.sub(r'\W+', '', l['class_name'])
        n = re.sub('(.)([A-Z][a-z]+)', r'\1_\2', n)
        n = re.sub('([a-z])([A-Z])', r'\1_\2', n).lower()
        if n in used:
            used[n] += 1
            n = f'{n}_{used[n]}'
        else:
            used[n] = 0
        out.append(n)
    return out


def zwrite(z, name, data):
    """A zip member with a fixed date, so that rerunning the script rewrites the same bytes."""
    if isinstance(data, str) and os.path.exists(data):
        with open(data, 'rb') as f:
            data = f.read()
    z.writestr(zipfile.ZipInfo(name, date_time=(2026, 12, 2, 0, 0, 0)), data)


# Keras 3 .keras zip (saving_lib): the same critic, compiled with RMSprop (ε inside the sqrt, velocity
# from 0) and stopped at iteration 120; velocity restored from optimizer/vars.
rit, rlr, rho, reps = 120, 1e-3, 0.9, 1e-7
vel = [rng.uniform(1e-5, 1e-4, size=p.shape).astype(np.float32) for p in params]
rms_after = []
for p, gi, v in zip(params, g, vel):
    v1 = rho * v + (1 - rho) * gi * gi
    rms_after.append(p - rlr * gi / np.sqrt(v1 + reps))
dtype = {'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': 'float32'}, 'registered_name': None}
def k3_dense(name, units, act):
    c = dense_cfg(name, units, act)
    c['dtype'] = dtype
    return {'module': 'keras.layers', 'class_name': 'Dense', 'config': c, 'registered_name': None,
            'build_config': {'input_shape': [None, 5]}}
k3_seq = {'module': 'keras', 'class_name': 'Sequential', 'config': {'name': 'sequential', 'trainable': True, 'dtype': dtype,
          'layers': [{'module': 'keras.layers', 'class_name': 'InputLayer', 'registered_name': None,
                      'config': {'batch_shape': [None, 5], 'dtype': 'float32', 'sparse': False, 'name': 'input_layer'}},
                     k3_dense('dense', 16, 'tanh'), k3_dense('dense_1', 16, 'tanh'), k3_dense('dense_2', 1, 'linear')],
          'build_input_shape': [None, 5]}, 'registered_name': None, 'build_config': {'input_shape': [None, 5]},
          'compile_config': {'optimizer': {'module': 'keras.optimizers', 'class_name': 'RMSprop', 'config': {
              'name': 'rmsprop', 'learning_rate': rlr, 'weight_decay': None, 'clipnorm': None, 'global_clipnorm': None,
              'clipvalue': None, 'use_ema': False, 'ema_momentum': 0.99, 'ema_overwrite_frequency': None,
              'loss_scale_factor': None, 'gradient_accumulation_steps': None, 'rho': rho, 'momentum': 0.0,
              'epsilon': reps, 'centered': False}, 'registered_name': None},
              'loss': 'mean_squared_error', 'loss_weights': None, 'metrics': None, 'weighted_metrics': None,
              'run_eagerly': False, 'steps_per_execution': 1, 'jit_compile': False}}
weights_path = os.path.join(OUT, 'model.weights.h5')
with h5py.File(weights_path, 'w') as f:
    lg = f.create_group('layers')
    for name, k, b in ppo:
        vg = lg.create_group(name).create_group('vars')
        vg.create_dataset('0', data=k)
        vg.create_dataset('1', data=b)
    ov = f.create_group('optimizer').create_group('vars')
    ov.create_dataset('0', data=np.int64(rit))
    ov.create_dataset('1', data=np.float32(rlr))
    for i, v in enumerate(vel):
        ov.create_dataset(str(2 + i), data=v)
    f.create_group('vars')
# Keras 3's save_weights('critic.weights.h5'): the same H5IOStore tree, alone (no model config): refused.
shutil.copy(weights_path, os.path.join(OUT, 'critic-keras3.weights.h5'))
with zipfile.ZipFile(os.path.join(OUT, 'critic-keras3.keras'), 'w', zipfile.ZIP_STORED) as z:
    zwrite(z, 'metadata.json', json.dumps({'keras_version': '3.6.0', 'date_saved': '2026-12-02@12:00:00'}))
    zwrite(z, 'config.json', json.dumps(k3_seq))
    zwrite(z, 'model.weights.h5', weights_path)
os.remove(weights_path)
with zipfile.ZipFile(os.path.join(OUT, 'critic-no-config.keras'), 'w') as z:
    zwrite(z, 'metadata.json', json.dumps({'keras_version': '3.6.0'}))

# Bad files: a layer without its weights; a kernel whose shape does not fit the layer's units.
write('critic-missing-weights.h5', seq, [l for l in ppo if l[0] != 'dense_1'], lambda layer, var: f'{layer}/{var}:0', '2.15.0')
bad = [(n, (k[:, :8] if n == 'dense' else k), (b[:8] if n == 'dense' else b)) for n, k, b in ppo]
write('critic-bad-shape.h5', seq, bad, lambda layer, var: f'{layer}/{var}:0', '2.15.0')

# ---- a TD3-style Q(s, a) critic: obs 9 -> Dense 400 relu -> concatenate(act 1) -> Dense 300 relu -> 1 ----
# as a tf.keras 2 Functional .h5 (inbound_nodes lists) and a Keras 3 .keras (keras_history), with a
# D4RL-layout rollout (observations, actions, rewards, terminals, timeouts, next_observations).
qw = [('l1', glorot(9, 400), np.zeros(400, np.float32)), ('l2', glorot(401, 300), np.zeros(300, np.float32)),
      ('q', glorot(300, 1), np.zeros(1, np.float32))]


def k2_node(*names):
    return [[[n, 0, 0, {}] for n in names]]


def k2_q():
    inp = lambda n, w: {'class_name': 'InputLayer', 'name': n, 'inbound_nodes': [],
                        'config': {'batch_input_shape': [None, w], 'dtype': 'float32', 'sparse': False, 'name': n}}
    dense = lambda n, u, a, src: {'class_name': 'Dense', 'name': n, 'config': dense_cfg(n, u, a), 'inbound_nodes': k2_node(src)}
    return {'class_name': 'Functional', 'config': {'name': 'q_critic', 'layers': [
        inp('obs', 9), inp('act', 1), dense('l1', 400, 'relu', 'obs'),
        {'class_name': 'Concatenate', 'name': 'cat', 'config': {'name': 'cat', 'trainable': True, 'axis': -1},
         'inbound_nodes': k2_node('l1', 'act')},
        dense('l2', 300, 'relu', 'cat'), dense('q', 1, 'linear', 'l2')],
        'input_layers': [['obs', 0, 0], ['act', 0, 0]], 'output_layers': [['q', 0, 0]]}}


def k3_tensor(name, width):
    return {'class_name': '__keras_tensor__', 'config': {'shape': [None, width], 'dtype': 'float32', 'keras_history': [name, 0, 0]}}


def k3_q():
    inp = lambda n, w: {'module': 'keras.layers', 'class_name': 'InputLayer', 'name': n, 'registered_name': None,
                        'config': {'batch_shape': [None, w], 'dtype': 'float32', 'sparse': False, 'name': n}, 'inbound_nodes': []}
    def dense(n, u, a, src, w):
        c = dense_cfg(n, u, a)
        c['dtype'] = dtype
        return {'module': 'keras.layers', 'class_name': 'Dense', 'name': n, 'config': c, 'registered_name': None,
                'build_config': {'input_shape': [None, w]}, 'inbound_nodes': [{'args': [k3_tensor(src, w)], 'kwargs': {}}]}
    return {'module': 'keras', 'class_name': 'Functional', 'registered_name': 'Functional', 'config': {'name': 'q_critic', 'trainable': True, 'layers': [
        inp('obs', 9), inp('act', 1), dense('l1', 400, 'relu', 'obs', 9),
        {'module': 'keras.layers', 'class_name': 'Concatenate', 'name': 'cat', 'registered_name': None,
         'config': {'name': 'cat', 'trainable': True, 'dtype': dtype, 'axis': -1},
         'inbound_nodes': [{'args': [[k3_tensor('l1', 400), k3_tensor('act', 1)]], 'kwargs': {}}]},
        dense('l2', 300, 'relu', 'cat', 401), dense('q', 1, 'linear', 'l2', 300)],
        'input_layers': [['obs', 0, 0], ['act', 0, 0]], 'output_layers': [['q', 0, 0]]},
        'build_config': {'input_shape': [[None, 9], [None, 1]]},
        'compile_config': {'optimizer': {'module': 'keras.optimizers', 'class_name': 'Adam', 'config': {
            'name': 'adam', 'learning_rate': 3e-4, 'weight_decay': None, 'clipnorm': None, 'global_clipnorm': None,
            'clipvalue': None, 'use_ema': False, 'beta_1': 0.9, 'beta_2': 0.999, 'epsilon': 1e-7, 'amsgrad': False},
            'registered_name': None}, 'loss': 'mse'}}


write('q-critic-keras2.h5', k2_q(), qw, lambda layer, var: f'{layer}/{var}:0', '2.15.0')
# The same graph 32 units wide, for the tests that train it many times (compare, treat, targets).
small = json.loads(json.dumps(k2_q()).replace('"units": 400', '"units": 32').replace('"units": 300', '"units": 32'))
write('q-small-keras2.h5', small, [('l1', glorot(9, 32), np.zeros(32, np.float32)), ('l2', glorot(33, 32), np.zeros(32, np.float32)),
                                   ('q', glorot(32, 1), np.zeros(1, np.float32))], lambda layer, var: f'{layer}/{var}:0', '2.15.0')
# And for the shipped cartpole rollouts (fixtures/datasets: 4 state features, 1 action).
cart = json.loads(json.dumps(small).replace('"batch_input_shape": [null, 9]', '"batch_input_shape": [null, 4]'))
write('q-cartpole-keras2.h5', cart, [('l1', glorot(4, 32), np.zeros(32, np.float32)), ('l2', glorot(33, 32), np.zeros(32, np.float32)),
                                     ('q', glorot(32, 1), np.zeros(1, np.float32))], lambda layer, var: f'{layer}/{var}:0', '2.15.0')
weights_path = os.path.join(OUT, 'model.weights.h5')
with h5py.File(weights_path, 'w') as f:
    lg = f.create_group('layers')
    # saving_lib's _save_container_state: a layer's group is its class in snake case with a counter
    # per class (input_layer, input_layer_1, dense, concatenate, dense_1, dense_2), never layer.name.
    kw = {name: (k, b) for name, k, b in qw}
    for layer, group in zip(k3_q()['config']['layers'], snake_groups(k3_q()['config']['layers'])):
        vg = lg.create_group(group).create_group('vars')
        if layer['name'] in kw:
            vg.create_dataset('0', data=kw[layer['name']][0])
            vg.create_dataset('1', data=kw[layer['name']][1])
    f.create_group('vars')
with zipfile.ZipFile(os.path.join(OUT, 'q-critic-keras3.keras'), 'w', zipfile.ZIP_STORED) as z:
    zwrite(z, 'metadata.json', json.dumps({'keras_version': '3.6.0'}))
    zwrite(z, 'config.json', json.dumps(k3_q()))
    zwrite(z, 'model.weights.h5', weights_path)
os.remove(weights_path)
# The same Q critic as Keras 3's legacy .h5 writer saves a Functional model (legacy_h5_format.py):
# every layer in layer_names, the parameterless ones (InputLayer, Concatenate) with weight_names an
# empty list, which h5py stores as an empty float64 array; weights named <model>/<layer>/<var>.
with h5py.File(os.path.join(OUT, 'q-critic-keras36.h5'), 'w') as f:
    f.attrs['keras_version'] = '3.6.0'
    f.attrs['backend'] = 'tensorflow'
    f.attrs['model_config'] = json.dumps(k3_q())
    mw = f.create_group('model_weights')
    names = [l['name'] for l in k3_q()['config']['layers']]
    mw.attrs['layer_names'] = [n.encode('utf8') for n in names]
    mw.attrs['backend'] = 'tensorflow'
    mw.attrs['keras_version'] = '3.6.0'
    kw = {name: (k, b) for name, k, b in qw}
    for n in names:
        g = mw.create_group(n)
        if n not in kw:
            g.attrs['weight_names'] = np.array([], dtype=np.float64)
            continue
        wn = [f'q_critic/{n}/kernel', f'q_critic/{n}/bias']
        g.attrs['weight_names'] = [x.encode('utf8') for x in wn]
        g.create_dataset(wn[0], data=kw[n][0])
        g.create_dataset(wn[1], data=kw[n][1])
    mw.create_group('top_level_model_weights').attrs['weight_names'] = np.array([], dtype=np.float64)

T, ep = 240, 60
obs = rng.normal(0, 1, size=(T, 9)).astype(np.float32)
act = rng.uniform(-1, 1, size=(T, 1)).astype(np.float32)
rew = rng.normal(0, 1, size=T).astype(np.float32)
terminals = np.zeros(T, np.float32)
timeouts = np.zeros(T, np.float32)
for e in range(T // ep):
    (terminals if e % 2 == 0 else timeouts)[e * ep + ep - 1] = 1
nxt = np.roll(obs, -1, axis=0)
ret = np.zeros(T, np.float64)
acc = 0.0
for t in range(T - 1, -1, -1):
    if terminals[t] or timeouts[t]:
        acc = 0.0
    acc = rew[t] + 0.99 * acc
    ret[t] = acc
with h5py.File(os.path.join(OUT, 'd4rl-q.hdf5'), 'w') as f:
    for k, v in (('observations', obs), ('actions', act), ('rewards', rew), ('terminals', terminals), ('timeouts', timeouts),
                 ('next_observations', nxt), ('returns', ret.astype(np.float32))):
        f.create_dataset(k, data=v)

# The same rollout as CSV (obs_0..obs_8, act_0, reward, done, return) and in Minari's layout
# (episode_N groups: observations [T+1, 9], actions [T, 1], rewards, terminations, truncations).
with open(os.path.join(OUT, 'q-rollout.csv'), 'w') as f:
    f.write(','.join([f'obs_{j}' for j in range(9)] + ['act_0', 'reward', 'done', 'return']) + '\n')
    for t in range(T):
        row = [repr(float(x)) for x in obs[t]] + [repr(float(act[t, 0])), repr(float(rew[t])), str(int(terminals[t])),
                                                   repr(float(np.float32(ret[t])))]
        f.write(','.join(row) + '\n')
with h5py.File(os.path.join(OUT, 'minari-q.h5'), 'w') as f:
    for e in range(T // ep):
        g = f.create_group(f'episode_{e}')
        sl = slice(e * ep, (e + 1) * ep)
        g.create_dataset('observations', data=np.concatenate([obs[sl], nxt[e * ep + ep - 1:e * ep + ep]], 0))
        g.create_dataset('actions', data=act[sl])
        g.create_dataset('rewards', data=rew[sl])
        g.create_dataset('terminations', data=terminals[sl].astype(bool))
        g.create_dataset('truncations', data=timeouts[sl].astype(bool))


def q_forward(x, a):
    h1 = np.maximum(x.astype(np.float64) @ qw[0][1] + qw[0][2], 0)
    h2 = np.maximum(np.concatenate([h1, a.astype(np.float64)], 1) @ qw[1][1] + qw[1][2], 0)
    return (h2 @ qw[2][1] + qw[2][2])[:, 0]


QB = 16
q0 = q_forward(obs[:QB], act[:QB])
q_first = {'rows': QB, 'values': [float(x) for x in q0],
           'loss': float(np.mean((ret[:QB].astype(np.float32).astype(np.float64) - q0) ** 2))}

print('wrote', sorted(os.listdir(OUT)))


# What h5py wrote, for the test to compare with what critic-doctor reads.
with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump({'layers': {n: {'kernelShape': list(k.shape), 'kernelSum': float(k.astype(np.float64).sum()),
                              'kernel00': float(k[0, 0]), 'bias': [float(x) for x in b]} for n, k, b in ppo},
               # numpy, float64, from the weights written above: the first batch's values and loss,
               # and every parameter after the first Adam / RMSprop update from the restored state.
               'firstBatch': {'rows': B, 'values': [float(x) for x in v0], 'loss': loss0},
               'adamAfter': [[float(x) for x in a.ravel()] for a in adam_after],
               'rmspropAfter': [[float(x) for x in a.ravel()] for a in rms_after],
               'qFirstBatch': q_first}, f)
    f.write('\n')
