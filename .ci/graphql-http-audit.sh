#!/usr/bin/env bash
# The graphql-http audit suite (github.com/graphql/graphql-http, auditServer)
# against the built service: builds kolgraph, starts it in dev mode with
# introspection (the audit's requests use __type) on a free loopback port
# with a temporary, seeded data directory, waits for /readyz, runs the
# audit (.ci/graphql-http-audit/audit.mjs: fails on any MUST or SHOULD
# failure), and stops the service.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

work=$(mktemp -d)
pid=""
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# A fresh machine may lack Node.js (the audit is an npm package) or curl:
# install them from Debian's packages.
missing=()
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
	sudo=""
	[ "$(id -u)" = 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

(cd .ci/graphql-http-audit && npm ci --no-audit --no-fund --loglevel=error)
go build -o "$work/kolgraph" ./cmd/kolgraph

# Port 0: the kernel picks a free loopback port, and the start-up log line
# ("serving GraphQL", with "addr") says which.
KOLGRAPH_RATE_LIMIT=0 "$work/kolgraph" serve -addr 127.0.0.1:0 -data-dir "$work/data" -seed \
	-dev-mode -introspection >"$work/serve.log" 2>&1 &
pid=$!

addr=""
for _ in $(seq 1 1200); do # up to 120 s for the build of the seed and the first snapshot
	if [ -z "$addr" ]; then
		addr=$(grep -o '"addr":"127\.0\.0\.1:[1-9][0-9]*"' "$work/serve.log" | head -n1 | cut -d'"' -f4 || true)
	fi
	if [ -n "$addr" ] && curl -fsS "http://$addr/readyz" >/dev/null 2>&1; then
		break
	fi
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "kolgraph exited before it was ready:" >&2
		cat "$work/serve.log" >&2
		exit 1
	fi
	sleep 0.1
done
if [ -z "$addr" ] || ! curl -fsS "http://$addr/readyz" >/dev/null; then
	echo "kolgraph not ready after 120 s:" >&2
	cat "$work/serve.log" >&2
	exit 1
fi
echo "auditing http://$addr/query"
node .ci/graphql-http-audit/audit.mjs "http://$addr/query"
