# Writes /tmp/fold/SPEC-nobn.json: each batch_norm removed, the conv2d before it renamed to the
# batch norm's name (so later layers' inputs still resolve) and given a bias. Timing only.
import json, os
os.makedirs('/tmp/fold', exist_ok=True)
for name in ['resnet-mini', 'fashion-cnn']:
    s = json.load(open(f'examples/{name}.json'))
    out = []
    for l in s['layers']:
        if l['type'] == 'batch_norm':
            prev = out[-1]
            assert prev['type'] == 'conv2d'
            prev['name'] = l['name']
            prev['bias'] = True
        else:
            out.append(l)
    s['layers'] = out
    s['name'] = name + '-nobn'
    json.dump(s, open(f'/tmp/fold/{name}-nobn.json', 'w'), indent=1)
