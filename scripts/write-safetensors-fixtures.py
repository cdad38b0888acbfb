"""safetensors fixtures from the PPO critic's state_dict (fixtures/torch/ppo-critic.pt), by Debian's torch.

Run with /usr/bin/python3 scripts/write-safetensors-fixtures.py. Debian has no `safetensors` package,
so the file is written here to the format its writer produces (huggingface/safetensors,
safetensors/src/tensor.rs): an 8-byte little-endian header length, the JSON header — tensors in
name order, `data_offsets` from the end of the header, `__metadata__` first — padded with spaces to
a multiple of 8 bytes, then the tensors' bytes in that order, little-endian, contiguous.
Writes fixtures/safetensors/: ppo-critic.safetensors (F32), ppo-critic-f16.safetensors (F16),
ppo-critic-bf16.safetensors (BF16).
"""
import json
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'fixtures', 'safetensors')
os.makedirs(OUT, exist_ok=True)
sd = torch.load(os.path.join(HERE, '..', 'fixtures', 'torch', 'ppo-critic.pt'))
NAMES = {torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16'}


def save(tensors, path):
    header = {'__metadata__': {'format': 'pt'}}
    blobs, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        raw = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {'dtype': NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


save({k: v.float() for k, v in sd.items()}, os.path.join(OUT, 'ppo-critic.safetensors'))
save({k: v.half() for k, v in sd.items()}, os.path.join(OUT, 'ppo-critic-f16.safetensors'))
save({k: v.bfloat16() for k, v in sd.items()}, os.path.join(OUT, 'ppo-critic-bf16.safetensors'))
print(sorted(sd))
