# Sourced by scripts/generate, scripts/test and scripts/bench: creates or refreshes .venv with the
# project and its dev extras, so that a fresh machine with only python3 and pip can run them.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

ensure_venv() {
    if [ ! -x "$PY" ]; then
        echo "creating $VENV" >&2
        python3 -m venv "$VENV"
    fi
    local stamp="$VENV/.altcraft-deps-stamp" want
    want=$(cat "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || ! "$PY" -c "import altcraft_api, altcraft" >/dev/null 2>&1; then
        echo "installing altcraft-client[dev] into $VENV" >&2
        "$PY" -m pip install -q --disable-pip-version-check --upgrade "pip>=24" >&2
        "$PY" -m pip install -q --disable-pip-version-check -e "$ROOT[dev]" >&2
        echo "$want" >"$stamp"
    fi
    export PATH="$VENV/bin:$PATH"
}

ensure_node_tools() {
    local dir="$ROOT/scripts/node"
    if [ ! -x "$dir/node_modules/.bin/redocly" ] || [ ! -x "$dir/node_modules/.bin/spectral" ] \
        || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
        echo "installing Redocly CLI and Spectral into scripts/node" >&2
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
    fi
}
