#!/usr/bin/env bash
# Installs the real servers the end-to-end tests run against, into target/e2e/ (idempotent).
#
#   bash e2e/install.sh [kinto] [jupyter] [alertmanager] [prism]   (default: all four)
#
# Exits non-zero when any requested install fails (the others are still attempted).
# Writes target/e2e/installed.tsv: name, version, seconds the install took (0 when already there).
set -uo pipefail

KINTO_VERSION=26.5.0
JUPYTER_SERVER_VERSION=2.21.1
IPYKERNEL_VERSION=7.4.0
PRISM_VERSION=5.14.2
ALERTMANAGER_UPSTREAM=0.25.0 # Debian bookworm: prometheus-alertmanager 0.25.0-1+b4, -dev 0.25.0-1

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E2E="${SPECWRIGHT_E2E_HOME:-$ROOT/target/e2e}"
PYTHON="${PYTHON:-python3}"
mkdir -p "$E2E/specs" "$E2E/logs"
: >"$E2E/installed.tsv"

log() { printf 'install: %s\n' "$*" >&2; }
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$E2E/installed.tsv"; }

# A venv with exactly the pinned packages; reused when `pip show` already reports the pins.
pip_venv() { # NAME "PKG==VER ..."
    local venv="$E2E/venv-$1" pins="$2" pin ok=1
    for pin in $pins; do
        [[ "$("$venv/bin/python" -m pip show "${pin%%==*}" 2>/dev/null | sed -n 's/^Version: //p')" == "${pin##*==}" ]] || ok=0
    done
    ((ok)) && return 0
    [[ -x "$venv/bin/python" ]] || "$PYTHON" -m venv "$venv" || return 1
    # shellcheck disable=SC2086
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check $pins \
        >"$E2E/logs/pip-$1.log" 2>&1 || { tail -20 "$E2E/logs/pip-$1.log" >&2; return 1; }
}

install_kinto() {
    pip_venv kinto "kinto==$KINTO_VERSION" && "$E2E/venv-kinto/bin/kinto" version >/dev/null 2>&1 || return 1
    # In-memory storage, bound to 127.0.0.1, HTTP Basic accepted for any user:password.
    local ini="$E2E/kinto/kinto.ini"
    if ! grep -q '^kinto.bucket_create_principals = system.Authenticated' "$ini" 2>/dev/null; then
        rm -rf "$E2E/kinto" && mkdir -p "$E2E/kinto"
        "$E2E/venv-kinto/bin/kinto" init --ini "$ini" --backend memory --cache-backend memory \
            --host 127.0.0.1 >"$E2E/logs/kinto-init.log" 2>&1 || { cat "$E2E/logs/kinto-init.log" >&2; return 1; }
        sed -i 's/^multiauth.policies = account$/multiauth.policies = account basicauth\nmultiauth.policy.basicauth.use = kinto.core.authentication.BasicAuthAuthenticationPolicy/' "$ini"
        # Any authenticated user may create buckets (the accounts plugin's default is admin only).
        sed -i 's/^kinto.bucket_create_principals = .*/kinto.bucket_create_principals = system.Authenticated/' "$ini"
        grep -q '^multiauth.policy.basicauth.use' "$ini" && grep -q '^kinto.bucket_create_principals = system.Authenticated' "$ini" \
            || { log "kinto: could not enable basicauth and bucket creation in $ini"; return 1; }
    fi
    echo "kinto $KINTO_VERSION ($E2E/venv-kinto/bin/kinto, $ini)"
}

install_jupyter() {
    pip_venv jupyter "jupyter-server==$JUPYTER_SERVER_VERSION ipykernel==$IPYKERNEL_VERSION" || return 1
    # The kernel spec `python3` must point at this venv's interpreter.
    "$E2E/venv-jupyter/bin/python" -m ipykernel install --prefix "$E2E/venv-jupyter" >/dev/null 2>&1 || return 1
    echo "jupyter-server $JUPYTER_SERVER_VERSION + ipykernel $IPYKERNEL_VERSION ($E2E/venv-jupyter/bin/jupyter)"
}

install_prism() {
    local prism="$E2E/node/node_modules/.bin/prism"
    local manifest="$E2E/node/node_modules/@stoplight/prism-cli/package.json"
    installed() { sed -n 's/^ *"version": "\(.*\)",*$/\1/p' "$manifest" 2>/dev/null | head -1; }
    if [[ ! -x "$prism" || "$(installed)" != "$PRISM_VERSION" ]]; then
        mkdir -p "$E2E/node"
        [[ -f "$E2E/node/package.json" ]] || echo '{"name":"specwright-e2e","private":true}' >"$E2E/node/package.json"
        (cd "$E2E/node" && npm install --no-audit --no-fund --loglevel=error \
            "@stoplight/prism-cli@$PRISM_VERSION") >"$E2E/logs/npm-prism.log" 2>&1 \
            || { tail -20 "$E2E/logs/npm-prism.log" >&2; return 1; }
        # Freshly installed: it must run and be the pinned version.
        [[ "$("$prism" --version 2>/dev/null)" == "$PRISM_VERSION" ]] || { log "prism: does not run"; return 1; }
    fi
    echo "prism $PRISM_VERSION ($prism)"
}

# The installed version of a Debian package (empty unless installed: a removed package whose
# configuration files remain still has a version in dpkg's database).
deb_version() { dpkg-query -W -f '${db:Status-Status} ${Version}' "$1" 2>/dev/null | sed -n 's/^installed //p'; }

# Sets CANDIDATE to the version apt would install of $1, which must be the pinned upstream
# version; the package lists are refreshed once when they do not offer it (a new machine has none).
APT_UPDATED=0
apt_candidate() {
    CANDIDATE="$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p')"
    if [[ "$CANDIDATE" != "$ALERTMANAGER_UPSTREAM"-* && $APT_UPDATED == 0 ]]; then
        APT_UPDATED=1
        apt-get update -qq >>"$E2E/logs/apt.log" 2>&1 || log "apt-get update failed (see $E2E/logs/apt.log)"
        CANDIDATE="$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p')"
    fi
    [[ "$CANDIDATE" == "$ALERTMANAGER_UPSTREAM"-* ]] || { log "$1: apt offers '$CANDIDATE', pinned $ALERTMANAGER_UPSTREAM"; return 1; }
}

install_alertmanager() {
    local spec="$E2E/specs/alertmanager.json" dev="$E2E/alertmanager-dev"
    if [[ "$(deb_version prometheus-alertmanager)" != "$ALERTMANAGER_UPSTREAM"-* || ! -x /usr/bin/prometheus-alertmanager ]]; then
        [[ $(id -u) == 0 ]] || { log "alertmanager: apt-get needs root"; return 1; }
        apt_candidate prometheus-alertmanager || return 1
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "prometheus-alertmanager=$CANDIDATE" >>"$E2E/logs/apt.log" 2>&1 \
            || { tail -20 "$E2E/logs/apt.log" >&2; return 1; }
        # The package's own service is not wanted (it would listen on all interfaces).
        if command -v systemctl >/dev/null; then
            systemctl disable --now prometheus-alertmanager >/dev/null 2>&1 || true
        fi
    fi
    # The spec: only the -dev package's embedded_spec.go is needed, so its .deb is downloaded and
    # unpacked into target/e2e instead of installing its ~40 Go library dependencies.
    if [[ ! -s "$spec" ]]; then
        rm -rf "$dev" && mkdir -p "$dev/deb"
        apt_candidate golang-github-prometheus-alertmanager-dev || return 1
        (cd "$dev/deb" && apt-get download -qq "golang-github-prometheus-alertmanager-dev=$CANDIDATE") \
            >>"$E2E/logs/apt.log" 2>&1 || { tail -20 "$E2E/logs/apt.log" >&2; return 1; }
        dpkg-deb -x "$dev"/deb/*.deb "$dev/root" || return 1
        local go
        go="$(find "$dev/root" -path '*alertmanager/api/v2/restapi/embedded_spec.go' | head -1)"
        [[ -n "$go" ]] || { log "alertmanager-dev: no embedded_spec.go in the package"; return 1; }
        # `SwaggerJSON = json.RawMessage([]byte(`...`))`: the Go raw string between the backticks.
        "$PYTHON" - "$go" "$spec" <<'EOF' || return 1
import json, re, sys
source = open(sys.argv[1], encoding="utf-8").read()
match = re.search(r"\bSwaggerJSON = json\.RawMessage\(\[\]byte\(`(.*?)`\)\)", source, re.S)
if not match:
    sys.exit("no SwaggerJSON raw string in " + sys.argv[1])
spec = json.loads(match.group(1))
json.dump(spec, open(sys.argv[2], "w", encoding="utf-8"), indent=2)
EOF
    fi
    echo "alertmanager $(deb_version prometheus-alertmanager) (/usr/bin/prometheus-alertmanager), spec $spec"
}

targets=("$@")
((${#targets[@]})) || targets=(kinto jupyter alertmanager prism)
status=0
for target in "${targets[@]}"; do
    start=$SECONDS
    if out="$("install_$target")"; then
        took=$((SECONDS - start))
        log "OK   $out [${took}s]"
        record "$target" "$(sed 's/ (.*//' <<<"$out" | head -1)" "$took"
    else
        log "FAIL $target (logs in $E2E/logs/)"
        record "$target" FAILED "$((SECONDS - start))"
        status=1
    fi
done
exit $status
