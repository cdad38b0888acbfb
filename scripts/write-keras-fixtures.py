"""Writes fixtures/keras/*.h5: Keras models in the legacy HDF5 layout, for test/own-model/keras-h5.test.ts.

Keras (and TensorFlow) are not packaged by Debian, so these are written with h5py (python3-h5py) to
the layout keras/src/legacy/saving/legacy_h5_format.py writes (save_model_to_hdf5 and
save_weights_to_hdf5_group): root attributes model_config (JSON), keras_version, backend;
model_weights/<layer>/ with a weight_names attribute naming datasets under the layer's group.
Not checked against a file Keras itself wrote. Run: /usr/bin/python3 scripts/write-keras-fixtures.py
"""
import json
import os

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

# A Q(s, a) critic with a Concatenate: refused by this path (not a chain), naming the layer.
q = json.loads(json.dumps(fun))
q['config']['layers'].insert(2, {'module': 'keras.layers', 'class_name': 'Concatenate', 'name': 'cat',
                                 'config': {'name': 'cat', 'axis': -1}, 'inbound_nodes': []})
write('critic-concat.h5', q, ppo, lambda layer, var: f'critic/{layer}/{var}', '3.3.3')
print('wrote', sorted(os.listdir(OUT)))

# What h5py wrote, for the test to compare with what critic-doctor reads.
with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump({n: {'kernelShape': list(k.shape), 'kernelSum': float(k.astype(np.float64).sum()),
                   'kernel00': float(k[0, 0]), 'bias': [float(x) for x in b]} for n, k, b in ppo}, f, indent=1)
    f.write('\n')
