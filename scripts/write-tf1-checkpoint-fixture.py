"""The seed's own format: a TF1 tf.train.Saver checkpoint of its denseWN critic, with RMSProp's slots.

Run with /usr/bin/python3 scripts/write-tf1-checkpoint-fixture.py. Debian has no TensorFlow, so the
checkpoint is written here to tensor_bundle's format (tensorflow/core/util/tensor_bundle/
tensor_bundle.cc, tensorflow/core/protobuf/tensor_bundle.proto, tensorflow/core/lib/io/table):
`seed-critic.index`, a LevelDB-format table of sorted keys — "" the BundleHeaderProto, every other
key a BundleEntryProto (dtype, shape, offset, size, masked crc32c of the bytes) — and
`seed-critic.data-00000-of-00001`, the values little-endian. Variables as the seed's graph names
them: critic/l3/V, critic/l3/g, critic/l3/b, …, RMSProp's slots critic/l3/V/RMSProp (ms) and
/RMSProp_1 (momentum), global_step (int64).
Also writes rollout.npz (64 states of 48 features, precomputed returns) and expected.json: TF1's
first update from these slots on the first 64 rows — the seed's mse, per-tensor clip_by_norm(5),
ApplyRMSProp(lr 1e-4, ρ 0.99, momentum 0, ε 1e-6): ms ← ms + (g² − ms)(1 − ρ); mom ← lr·g/√(ms + ε);
var ← var − mom — computed in float64 from the float32 values, for the test to meet within rounding.
"""
import json
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'fixtures', 'tf1-seed')
os.makedirs(OUT, exist_ok=True)
LAYERS = [('l3', 48, 64, 'relu'), ('l3_1', 64, 32, 'relu'), ('l3_2', 32, 32, 'relu'), ('l3_3', 32, 32, 'linear'), ('l4', 32, 1, 'linear')]
LR, RHO, EPS, CLIP = 1e-4, 0.99, 1e-6, 5.0

rng = np.random.default_rng(48)
params, slots = {}, {}
for name, fan_in, units, _ in LAYERS:
    lim = np.sqrt(6 / (fan_in + units))
    params[f'{name}/V'] = rng.uniform(-lim, lim, (fan_in, units)).astype(np.float32)
    params[f'{name}/g'] = rng.uniform(0.8, 1.2, units).astype(np.float32)
    params[f'{name}/b'] = np.full(units, 0.1, np.float32)
for k, v in params.items():
    # ms after some training: far below the 1.0 it starts at, so restored and fresh slots update very differently.
    slots[k] = (rng.uniform(1e-5, 1e-3, v.shape)).astype(np.float32)
states = rng.normal(0, 1, (64, 48)).astype(np.float32)
returns = rng.normal(0, 1, 64).astype(np.float32)
np.savez(os.path.join(OUT, 'rollout.npz'), states=states, rewards=returns, dones=np.zeros(64, np.float32), returns=returns)


# ---- TF1's first update, float64 from the float32 values ----
def step():
    x = states.astype(np.float64)
    cache = []
    for name, _, _, act in LAYERS:
        V, g, b = (params[f'{name}/{s}'].astype(np.float64) for s in 'Vgb')
        xv = x @ V
        norm = np.sqrt((V ** 2).sum(0))
        pre = g / norm * xv + b
        out = np.maximum(pre, 0) if act == 'relu' else pre
        cache.append((x, V, g, norm, xv, pre))
        x = out
    v = x[:, 0]
    loss = np.mean((returns - v) ** 2)
    d = (-2 * (returns - v) / len(v))[:, None]
    grads = {}
    for (name, _, _, act), (xin, V, g, norm, xv, pre) in zip(reversed(LAYERS), reversed(cache)):
        dpre = d * (pre > 0) if act == 'relu' else d
        grads[f'{name}/b'] = dpre.sum(0)
        dscaler = (dpre * xv).sum(0)
        grads[f'{name}/g'] = dscaler / norm
        dxv = dpre * (g / norm)
        grads[f'{name}/V'] = xin.T @ dxv - V * (dscaler * g / norm ** 3)
        d = dxv @ V.T
    after = {}
    for k, gr in grads.items():
        n = np.sqrt((gr ** 2).sum())
        gr = gr * CLIP / n if n > CLIP else gr
        ms = slots[k] + (gr ** 2 - slots[k]) * (1 - RHO)
        after[k] = (params[k] - LR * gr / np.sqrt(ms + EPS)).astype(np.float32)
    return float(loss), after


loss, after = step()
with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump({'loss': loss, 'after': {k: v.ravel().tolist() for k, v in after.items()}, 'globalStep': 1234}, f)


# ---- the TensorBundle writer ----
def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def mask(crc):
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def varint(n):
    out = b''
    while True:
        b = n & 0x7F
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def field(num, wire, payload):
    key = varint((num << 3) | wire)
    if wire == 0:
        return key + varint(payload)
    if wire == 5:
        return key + struct.pack('<I', payload)
    return key + varint(len(payload)) + payload


def entry(dtype, shape, offset, size, crc):
    dims = b''.join(field(2, 2, field(1, 0, d)) for d in shape)
    return field(1, 0, dtype) + field(2, 2, dims) + field(4, 0, offset) + field(5, 0, size) + field(6, 5, mask(crc))


def block(items):
    """A table block with a restart point at every entry (shared prefix 0), then its 5-byte trailer."""
    body, restarts = b'', []
    for k, v in items:
        restarts.append(len(body))
        body += varint(0) + varint(len(k)) + varint(len(v)) + k + v
    body += b''.join(struct.pack('<I', r) for r in restarts) + struct.pack('<I', len(restarts))
    return body, bytes([0]) + struct.pack('<I', mask(crc32c(body + bytes([0]))))


tensors = {}
for k, v in params.items():
    tensors[f'critic/{k}'] = v
    tensors[f'critic/{k}/RMSProp'] = slots[k]
    tensors[f'critic/{k}/RMSProp_1'] = np.zeros_like(v)
data, items = b'', []
for key in sorted(tensors):
    raw = np.ascontiguousarray(tensors[key]).astype('<f4').tobytes()
    items.append((key.encode(), entry(1, tensors[key].shape, len(data), len(raw), crc32c(raw))))
    data += raw
step_raw = struct.pack('<q', 1234)
items.append((b'global_step', entry(9, (), len(data), 8, crc32c(step_raw))))
data += step_raw
items.sort()
header = field(1, 0, 1) + field(3, 2, field(1, 0, 26))  # num_shards 1, version.producer 26
items.insert(0, (b'', header))

table = b''
data_block, trailer = block(items)
data_handle = varint(0) + varint(len(data_block))
table += data_block + trailer
meta_block, meta_trailer = block([])
meta_handle = varint(len(table)) + varint(len(meta_block))
table += meta_block + meta_trailer
index_block, index_trailer = block([(items[-1][0], data_handle)])
index_handle = varint(len(table)) + varint(len(index_block))
table += index_block + index_trailer
footer = (meta_handle + index_handle).ljust(40, b'\0') + struct.pack('<Q', 0xDB4775248B80FB57)
with open(os.path.join(OUT, 'seed-critic.index'), 'wb') as f:
    f.write(table + footer)
with open(os.path.join(OUT, 'seed-critic.data-00000-of-00001'), 'wb') as f:
    f.write(data)
print('loss', loss, 'entries', len(items))
