"""Hostile model files (fixtures/hostile/): each must be refused with exit 2 and one line, in bounded
time and memory, before critic-doctor allocates what it claims (test/reliability/hostile-files.test.ts).

Run with /usr/bin/python3 scripts/write-hostile-fixtures.py (h5py, zipfile; Debian's packages).
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
with zipfile.ZipFile(os.path.join(OUT, 'bomb.keras'), 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    z.writestr('metadata.json', json.dumps({'keras_version': '3.6.0'}))
    z.writestr('config.json', json.dumps(config))
    zero = bytes(1 << 20)
    with z.open('model.weights.h5', 'w', force_zip64=True) as m:
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
