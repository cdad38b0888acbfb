"""Hostile model files (fixtures/hostile/): each must be refused with exit 2 and one line, in bounded
time and memory, before critic-doctor allocates what it claims (test/reliability/hostile-files.test.ts).

Run with /usr/bin/python3 scripts/write-hostile-fixtures.py (h5py, zipfile, torch, onnx; Debian's packages).
- bomb.keras: a valid Keras 3 config.json and metadata.json, and a model.weights.h5 member of 4 GiB
  of zeros deflated to about 4 MB (zip64, as Keras writes large members).
- huge-kernel.h5: a legacy Keras .h5 whose Dense kernel is a chunked 100,000 × 100,000 float32
  dataset that was never written: 40 GB declared in a few kilobytes.
"""
import json
import os
import zipfile

import h5py

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'hostile')
os.makedirs(OUT, exist_ok=True)


def dense(name, units, inputs=None):
    cfg = {'name': name, 'units': units, 'activation': 'linear', 'use_bias': True}
    if inputs:
        cfg['batch_input_shape'] = [None, inputs]
    return {'class_name': 'Dense', 'config': cfg}


config = {'module': 'keras', 'class_name': 'Sequential', 'config': {'name': 'sequential', 'layers': [
    {'class_name': 'InputLayer', 'config': {'batch_shape': [None, 4], 'name': 'input_layer'}}, dense('dense', 1)]}}
def member(name):
    # A fixed date, so the archive's bytes are the same on every run; deflated as the archive's default.
    info = zipfile.ZipInfo(name, date_time=(2026, 12, 5, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


with zipfile.ZipFile(os.path.join(OUT, 'bomb.keras'), 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    z.writestr(member('metadata.json'), json.dumps({'keras_version': '3.6.0'}))
    z.writestr(member('config.json'), json.dumps(config))
    zero = bytes(1 << 20)
    with z.open(member('model.weights.h5'), 'w', force_zip64=True) as m:
        for _ in range(4096):
            m.write(zero)

seq = {'class_name': 'Sequential', 'config': {'name': 'sequential', 'layers': [dense('dense', 100_000, 100_000)]}}
with h5py.File(os.path.join(OUT, 'huge-kernel.h5'), 'w') as f:
    f.attrs['keras_version'] = '2.15.0'
    f.attrs['backend'] = 'tensorflow'
    f.attrs['model_config'] = json.dumps(seq)
    mw = f.create_group('model_weights')
    mw.attrs['layer_names'] = [b'dense']
    g = mw.create_group('dense')
    g.attrs['weight_names'] = [b'dense/kernel:0', b'dense/bias:0']
    g.create_dataset('dense/kernel:0', shape=(100_000, 100_000), dtype='f4', chunks=(1000, 1000))
    g.create_dataset('dense/bias:0', shape=(100_000,), dtype='f4')
print(sorted(os.listdir(OUT)), [os.path.getsize(os.path.join(OUT, n)) for n in sorted(os.listdir(OUT))])

# - strided.pt: a torch.save state_dict whose tensor is a stride-0 view: 8 floats stored, declared
#   [100000, 100000] (torch.as_strided): a reader that allocates the declared shape asks for 37 GiB.
# - deep.pt: a torch.save zip whose data.pkl nests a million lists (no recursion may follow it).
# - huge-dims.onnx: an initializer declaring dims [2^62, 1] and holding no data.
import onnx
import torch
from onnx import TensorProto, helper

view = torch.as_strided(torch.zeros(8), (100_000, 100_000), (0, 0))
torch.save({'critic.0.weight': view, 'critic.0.bias': torch.zeros(100_000)}, os.path.join(OUT, 'strided.pt'))

n = 1_000_000
deep = b'\x80\x02' + b']' * n + b'a' * (n - 1) + b'.'
with zipfile.ZipFile(os.path.join(OUT, 'deep.pt'), 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr(member('archive/data.pkl'), deep)
    z.writestr(member('archive/version'), '3\n')

w = TensorProto(name='w', data_type=TensorProto.FLOAT, dims=[2 ** 62, 1])
graph = helper.make_graph([helper.make_node('Gemm', ['obs', 'w'], ['v'], name='fc')], 'critic',
                          [helper.make_tensor_value_info('obs', TensorProto.FLOAT, [None, 4])],
                          [helper.make_tensor_value_info('v', TensorProto.FLOAT, [None, 1])], [w])
onnx.save(helper.make_model(graph), os.path.join(OUT, 'huge-dims.onnx'))
print(sorted(os.listdir(OUT)))

# - lying-directory.pt: a torch.save zip (the PPO state_dict) whose zip64 end record claims 2,139,062,143
#   entries: fflate would walk two billion central headers over zeros.
# - cyclic-module.pt: a "module" whose _modules holds itself (one memo reference): a walk of module
#   paths that followed it would never end.
import pickle
import struct
from collections import OrderedDict

data = bytearray(open(os.path.join(OUT, '..', 'torch', 'ppo-critic.pt'), 'rb').read())
z64 = data.rfind(b'PK\x06\x06')
assert z64 > 0, 'torch writes a zip64 end record'
data[z64 + 32:z64 + 40] = struct.pack('<Q', 0x7f7f7f7f)
open(os.path.join(OUT, 'lying-directory.pt'), 'wb').write(bytes(data))


class M:
    pass


m = M()
m.__dict__ = {'_parameters': OrderedDict(), '_buffers': OrderedDict(), '_modules': OrderedDict(a=m)}
with zipfile.ZipFile(os.path.join(OUT, 'cyclic-module.pt'), 'w', zipfile.ZIP_STORED) as z:
    z.writestr(member('archive/data.pkl'), pickle.dumps(m, protocol=2))
    z.writestr(member('archive/version'), '3\n')
print(sorted(os.listdir(OUT)))

# - cycle.h5: a legacy Keras .h5 whose layer group is a soft link to its parent (model_weights/dense → /model_weights):
#   a reader that walked links would never end.
# - deep.json: a tfjs model.json whose modelTopology nests a million arrays.
# - deep.onnx: an ONNX ModelProto whose graph's node has a graph attribute, nested 100,000 deep.
with h5py.File(os.path.join(OUT, 'cycle.h5'), 'w') as f:
    f.attrs['keras_version'] = '2.15.0'
    f.attrs['backend'] = 'tensorflow'
    f.attrs['model_config'] = json.dumps(config_k2 := {'class_name': 'Sequential', 'config': {'name': 's', 'layers': [
        {'class_name': 'InputLayer', 'config': {'batch_input_shape': [None, 4], 'name': 'obs'}}, dense('dense', 1)]}})
    mw = f.create_group('model_weights')
    mw.attrs['layer_names'] = [b'dense']
    mw['dense'] = h5py.SoftLink('/model_weights')

n = 1_000_000
with open(os.path.join(OUT, 'deep.json'), 'w') as fh:
    fh.write('{"modelTopology": ' + '[' * n + ']' * n + ', "weightsManifest": []}')


def field(num, payload):
    """A length-delimited protobuf field."""
    def varint(v):
        out = bytearray()
        while True:
            b = v & 0x7f
            v >>= 7
            out.append(b | (0x80 if v else 0))
            if not v:
                return bytes(out)
    return varint((num << 3) | 2) + varint(len(payload)) + payload


inner = b''
for _ in range(100_000):
    # GraphProto.node (1) → NodeProto.attribute (5) → AttributeProto.g (6) → GraphProto …
    inner = field(1, field(5, field(6, inner)))
with open(os.path.join(OUT, 'deep.onnx'), 'wb') as fh:
    fh.write(field(7, inner))
print(sorted(os.listdir(OUT)))

# - looping.h5: the Keras 3.6 legacy Q critic (fixtures/keras/q-critic-keras36.h5) with its bytes 3–4087
#   repeated 64 times in place (what `npm run fuzz -- --seed 424242` generated): the HDF5 library,
#   reading its model_weights, never returns.
src = open(os.path.join(OUT, '..', 'keras', 'q-critic-keras36.h5'), 'rb').read()
open(os.path.join(OUT, 'looping.h5'), 'wb').write(src[:3] + src[3:4088] * 64 + src[3:])
print(sorted(os.listdir(OUT)))
