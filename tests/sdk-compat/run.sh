#!/usr/bin/env bash
# SDK compatibility: published TOP SDKs from PyPI and npm, unchanged, against a running topgate.
#
#   TOPGATE_URL=http://127.0.0.1:PORT/router/rest tests/sdk-compat/run.sh
#
# The server must be `topgate serve --demo` (app key 12345678, secret helloworld, session
# demo-session-tbtest561). Environment:
#   TOPGATE_URL            required; the /router/rest URL
#   SDK_COMPAT_VENV        cache dir (default ${TMPDIR:-/tmp}/topgate-sdk-compat-venv), reused;
#                          the npm packages go to its node/ subfolder
#   SDK_COMPAT_SKIP_NODE=1 skip the npm SDK (otherwise a missing node/npm is a failure)
#   TOPGATE_WAIT           seconds to wait for the server's port to accept (default 30)
#   PYTHON                 interpreter for the venv (default python3)
# Prints `N passed, M failed` as its last line; exits non-zero on any failure.
set -u
set -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VENV=${SDK_COMPAT_VENV:-${TMPDIR:-/tmp}/topgate-sdk-compat-venv}
PYTHON=${PYTHON:-python3}
WAIT=${TOPGATE_WAIT:-30}

passed=0
failed=0
summary() {
  echo "${passed} passed, ${failed} failed"
  if [ "$failed" -eq 0 ]; then exit 0; else exit 1; fi
}
die() {
  echo "sdk-compat: $*" >&2
  failed=$((failed + 1))
  summary
}

[ -n "${TOPGATE_URL:-}" ] || die "set TOPGATE_URL, e.g. http://127.0.0.1:8080/router/rest"

# ---- Python venv with the pinned SDKs (reused while requirements.txt is unchanged)
req_sum=$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" != "$req_sum" ]; then
  echo "sdk-compat: preparing venv in $VENV"
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV" || die "cannot create venv $VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$HERE/requirements.txt" \
    || die "pip install failed"
  echo "$req_sum" > "$VENV/.requirements.sha256"
fi

# ---- npm SDK from package-lock.json (reused while the lock is unchanged)
run_node=1
if [ "${SDK_COMPAT_SKIP_NODE:-0}" = 1 ]; then
  run_node=0
  echo "sdk-compat: SDK_COMPAT_SKIP_NODE=1, skipping the npm SDK"
elif ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  die "node/npm not found (set SDK_COMPAT_SKIP_NODE=1 to skip the npm SDK)"
else
  NODE_DIR="$VENV/node"
  lock_sum=$(cat "$HERE/node/package.json" "$HERE/node/package-lock.json" | sha256sum | cut -d' ' -f1)
  if [ ! -d "$NODE_DIR/node_modules/node-taobao-topclient" ] || [ "$(cat "$NODE_DIR/.lock.sha256" 2>/dev/null)" != "$lock_sum" ]; then
    echo "sdk-compat: npm ci in $NODE_DIR"
    mkdir -p "$NODE_DIR"
    cp "$HERE/node/package.json" "$HERE/node/package-lock.json" "$NODE_DIR/"
    (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"
    echo "$lock_sum" > "$NODE_DIR/.lock.sha256"
  fi
fi

# ---- wait for the server to accept connections
"$VENV/bin/python" - "$TOPGATE_URL" "$WAIT" <<'PY' || die "server at $TOPGATE_URL not reachable"
import socket, sys, time, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
host, port = u.hostname, u.port or (443 if u.scheme == 'https' else 80)
deadline = time.time() + float(sys.argv[2])
while True:
    try:
        socket.create_connection((host, port), timeout=2).close()
        break
    except OSError:
        if time.time() > deadline:
            sys.exit(1)
        time.sleep(0.3)
PY

# ---- run one test program, add its RESULT line to the totals
run_suite() {  # name, command...
  local name=$1; shift
  local out
  out=$(mktemp)
  echo "== $name"
  "$@" 2>&1 | tee "$out"
  local rc=${PIPESTATUS[0]}
  local line
  line=$(grep -E '^RESULT passed=[0-9]+ failed=[0-9]+$' "$out" | tail -n 1)
  rm -f "$out"
  if [ -z "$line" ]; then
    echo "sdk-compat: $name printed no RESULT line (exit $rc)"
    failed=$((failed + 1))
    return
  fi
  local p f
  p=$(echo "$line" | sed -E 's/^RESULT passed=([0-9]+) failed=([0-9]+)$/\1/')
  f=$(echo "$line" | sed -E 's/^RESULT passed=([0-9]+) failed=([0-9]+)$/\2/')
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "sdk-compat: $name exited $rc"
    failed=$((failed + 1))
  fi
}

export TOPGATE_URL
run_suite "python SDKs" env PYTHONIOENCODING=utf-8 PYTHONDONTWRITEBYTECODE=1 "$VENV/bin/python" "$HERE/test_python_sdk.py"
if [ "$run_node" = 1 ]; then
  run_suite "npm SDK" env NODE_PATH="$VENV/node/node_modules" NODE_NO_WARNINGS=1 node "$HERE/test_node_sdk.js"
fi
summary
