"""Writes fixtures/flax/: Flax msgpack files to flax/serialization.py's layout, with Debian's python3-msgpack.

Run with /usr/bin/python3 scripts/write-flax-fixtures.py (needs python3-msgpack, python3-numpy, python3-torch).
Debian has no JAX or Flax: the files are written as flax.serialization.msgpack_serialize writes them —
msgpack.packb(tree, default=_msgpack_ext_pack, strict_types=True), each array an ExtType(1, packb((shape,
dtype.name, arr.tobytes('C')), use_bin_type=True)), arrays over MAX_CHUNK_SIZE bytes as
{'__msgpack_chunked_array__': True, 'shape': {'0': …}, 'chunks': {'0': …}} — from the PPO critic of
fixtures/torch/ppo-critic.pt (flax's Dense kernel is torch's weight transposed, [in, out]).
- ppo-params.msgpack: flax.serialization.to_bytes(params), params = {'Dense_0': {'kernel', 'bias'}, …}.
- ppo-train-state.msgpack: to_bytes(TrainState.create(..., tx=optax.adam(1e-3))) after 7 steps: {'step',
  'params', 'opt_state': {'0': ScaleByAdamState {'count', 'mu', 'nu'}, '1': EmptyState {}}} (count an int32 scalar).
- ppo-variables-f16.msgpack: to_bytes(variables) = {'params': …} with float16 arrays.
- ppo-chunked.msgpack: the params with Dense_1's kernel in the chunked layout (three chunks; flax chunks
  at 2**30 bytes, here smaller so that a fixture can hold it — the layout is the same).
- expected.json: each file's tensors as critic-doctor must name them (torch's names and [out, in] layout).
"""
import json
import os

import msgpack
import numpy as np
import torch

HERE = os.path.dirname(__file__)
OUT = os.path.join(HERE, '..', 'fixtures', 'flax')
os.makedirs(OUT, exist_ok=True)

sd = torch.load(os.path.join(HERE, '..', 'fixtures', 'torch', 'ppo-critic.pt'))
layers = [('Dense_0', 'critic.0'), ('Dense_1', 'critic.2'), ('Dense_2', 'critic.4')]
params = {d: {'kernel': sd[f'{t}.weight'].numpy().T.copy(), 'bias': sd[f'{t}.bias'].numpy().copy()} for d, t in layers}


def ndarray_to_bytes(arr):
    return msgpack.packb((arr.shape, arr.dtype.name, arr.tobytes('C')), use_bin_type=True)


def ext_pack(x):
    if isinstance(x, np.ndarray):
        return msgpack.ExtType(1, ndarray_to_bytes(x))
    if isinstance(x, np.generic):
        return msgpack.ExtType(3, ndarray_to_bytes(np.asarray(x)))
    return x


def serialize(tree):
    return msgpack.packb(tree, default=ext_pack, strict_types=True)


def write(name, tree):
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(serialize(tree))


write('ppo-params.msgpack', params)
rs = np.random.default_rng(4)
like = lambda: {d: {k: rs.normal(0, 1e-3, v.shape).astype(np.float32) for k, v in p.items()} for d, p in params.items()}
write('ppo-train-state.msgpack', {'step': 7, 'params': params,
                                  'opt_state': {'0': {'count': np.array(7, np.int32), 'mu': like(), 'nu': like()}, '1': {}}})
half = {d: {k: v.astype(np.float16) for k, v in p.items()} for d, p in params.items()}
write('ppo-variables-f16.msgpack', {'params': half})
flat = params['Dense_1']['kernel'].reshape(-1)
size = (flat.size + 2) // 3
chunked = dict(params)
chunked['Dense_1'] = {'kernel': {'__msgpack_chunked_array__': True,
                                 'shape': {str(i): d for i, d in enumerate(params['Dense_1']['kernel'].shape)},
                                 'chunks': {str(i): flat[i * size:(i + 1) * size] for i in range(3)}},
                      'bias': params['Dense_1']['bias']}
write('ppo-chunked.msgpack', chunked)


def as_torch(p, dtype=np.float32):
    out = []
    for d, _ in layers:
        k = p[d]['kernel'].astype(dtype).astype(np.float32)
        out.append({'name': f'{d}.weight', 'shape': [k.shape[1], k.shape[0]], 'values': k.T.reshape(-1).tolist()})
        b = p[d]['bias'].astype(dtype).astype(np.float32)
        out.append({'name': f'{d}.bias', 'shape': list(b.shape), 'values': b.tolist()})
    return out


expected = {'float32': as_torch(params), 'float16': as_torch(params, np.float16)}
with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump(expected, f)
    f.write('\n')
print('wrote', sorted(os.listdir(OUT)))
