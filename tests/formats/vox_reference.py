#!/usr/bin/env python3
"""Independent .vox reader for tests (stdlib only).

Usage: vox_reference.py FILE.vox SPEC.txt (the spec supplies the default
palette). Prints JSON: {"voxels": total, "colors": {"rrggbb": count},
"models": [[minx, miny, minz, maxx, maxy, maxz, count], ...] sorted}.
Placement: world = T + R * (p - size // 2), with T and R composed along the
nTRN chain from node 0; without a scene graph a model keeps its local
coordinates. Frame 0 only; colour index 0 is skipped.
"""
import json
import struct
import sys


def read_dict(b, o):
    n, = struct.unpack_from('<i', b, o)
    o += 4
    d = {}
    for _ in range(n):
        kl, = struct.unpack_from('<i', b, o)
        k = b[o + 4:o + 4 + kl].decode('latin1')
        o += 4 + kl
        vl, = struct.unpack_from('<i', b, o)
        v = b[o + 4:o + 4 + vl].decode('latin1')
        o += 4 + vl
        d[k] = v
    return d, o


def rotation(v):
    v = int(v) & 0x7f
    c0, c1 = v & 3, (v >> 2) & 3
    cols = [c0, c1, 3 - c0 - c1]
    signs = [-1 if (v >> (4 + i)) & 1 else 1 for i in range(3)]
    return [[signs[i] if j == cols[i] else 0 for j in range(3)] for i in range(3)]


def matmul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)] for i in range(3)]


def apply(m, v):
    return [sum(m[i][k] * v[k] for k in range(3)) for i in range(3)]


def default_palette(spec_path):
    import re
    text = open(spec_path).read()
    table = text[text.index('default_palette[256]'):]
    table = table[:table.index('};')]
    values = [int(v, 16) for v in re.findall(r'0x([0-9a-fA-F]{8})', table)]
    return [struct.unpack('<4B', struct.pack('<I', v)) for v in values]


def main(path, spec_path):
    b = open(path, 'rb').read()
    assert b[:4] == b'VOX '
    o = 8
    _, n, m = struct.unpack_from('<4sii', b, o)
    o += 12 + n
    sizes, models, nodes = [], [], {}
    palette = default_palette(spec_path)
    default = True
    while o < len(b):
        tag, n, m = struct.unpack_from('<4sii', b, o)
        c = o + 12
        o = c + n + m
        if tag == b'SIZE':
            sizes.append(struct.unpack_from('<3i', b, c))
        elif tag == b'XYZI':
            k, = struct.unpack_from('<i', b, c)
            models.append([struct.unpack_from('<4B', b, c + 4 + 4 * i) for i in range(k)])
        elif tag == b'RGBA':
            default = False
            for i in range(255):
                palette[i + 1] = struct.unpack_from('<4B', b, c + 4 * i)
        elif tag == b'nTRN':
            nid, = struct.unpack_from('<i', b, c)
            _, q = read_dict(b, c + 4)
            child, _, _, frames = struct.unpack_from('<4i', b, q)
            q += 16
            fd, q = read_dict(b, q)
            t = [int(x) for x in fd.get('_t', '0 0 0').split()]
            r = rotation(fd['_r']) if '_r' in fd else [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
            nodes[nid] = ('T', [child], t, r)
        elif tag in (b'nGRP', b'nSHP'):
            nid, = struct.unpack_from('<i', b, c)
            _, q = read_dict(b, c + 4)
            k, = struct.unpack_from('<i', b, q)
            q += 4
            kids = []
            for i in range(k):
                kid, = struct.unpack_from('<i', b, q)
                q += 4
                if tag == b'nSHP':
                    _, q = read_dict(b, q)
                if tag == b'nGRP' or i == 0:
                    kids.append(kid)
            nodes[nid] = ('G' if tag == b'nGRP' else 'S', kids, None, None)
    instances = []

    def walk(nid, t, r, depth):
        if nid not in nodes or depth > 64:
            return
        kind, kids, nt, nr = nodes[nid]
        if kind == 'T':
            d = apply(r, nt)
            walk(kids[0], [t[i] + d[i] for i in range(3)], matmul(r, nr), depth + 1)
        elif kind == 'G':
            for k in kids:
                walk(k, t, r, depth + 1)
        else:
            for k in kids:
                instances.append((k, t, r))

    ident = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    if 0 in nodes:
        walk(0, [0, 0, 0], ident, 0)
    else:
        instances = [(i, [s[0] // 2, s[1] // 2, s[2] // 2], ident) for i, s in enumerate(sizes)]
    colors, out, total = {}, [], 0
    for k, t, r in instances:
        s = sizes[k]
        pts = []
        for x, y, z, ci in models[k]:
            if ci == 0:
                continue
            d = apply(r, [x - s[0] // 2, y - s[1] // 2, z - s[2] // 2])
            pts.append([t[i] + d[i] for i in range(3)])
            col = '%02x%02x%02x' % palette[ci][:3]
            colors[col] = colors.get(col, 0) + 1
        total += len(pts)
        if pts:
            mn = [min(p[i] for p in pts) for i in range(3)]
            mx = [max(p[i] for p in pts) for i in range(3)]
            out.append(mn + mx + [len(pts)])
    print(json.dumps({'voxels': total, 'colors': colors, 'models': sorted(out),
                      'default_palette': default}, sort_keys=True))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
