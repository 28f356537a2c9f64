#!/usr/bin/env bash
# NornicDB as the Bolt server for the Neo4j store's tests.
#
# No Neo4j can be installed on CI (no Docker, no Maven Central), so the
# contract suite of internal/neo4jstore runs against NornicDB, a
# Neo4j-compatible engine in Go that speaks Bolt 4.4. It is built from the
# separate module in .ci/nornicdb so that its ~350 dependencies never enter
# kolgraph's go.mod; ./... in the main module does not descend into it.
#
# Usage:
#   bash .ci/nornicdb.sh build    build (or reuse the cached) binary; prints its path
#   bash .ci/nornicdb.sh start    start a throwaway server on free loopback ports and
#                                 print `export KOLGRAPH_TEST_NEO4J_...=...` lines
#   bash .ci/nornicdb.sh stop     stop it and delete its data
#   bash .ci/nornicdb.sh kill     stop the process only, keeping ports, password and data
#   bash .ci/nornicdb.sh resume   start it again after `kill` (same URI and credentials)
#   bash .ci/nornicdb.sh status   exit 0 when the server answers on its Bolt port
#
# Typical use:  eval "$(bash .ci/nornicdb.sh start)"; go test ./internal/neo4jstore/; bash .ci/nornicdb.sh stop
#
# Environment:
#   KOLGRAPH_CACHE_DIR     where the binary is cached (default ${XDG_CACHE_HOME:-$HOME/.cache}/kolgraph),
#                          named for what it is built from (see key)
#   KOLGRAPH_NORNICDB_RUN  the run directory: pid file, settings, data, log
#                          (default ${TMPDIR:-/tmp}/kolgraph-nornicdb.$UID)
# `kill` and `resume` exist for the store's fault test (see
# internal/neo4jstore/fault_test.go): they simulate an outage and a recovery
# of the same server.
set -euo pipefail

version=v1.2.3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
module="$here/nornicdb"
cache="${KOLGRAPH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kolgraph}"
# How the binary is built; part of its cache key.
build_env="GOWORK=off GOFLAGS=-mod=readonly CGO_ENABLED=0"
build_flags="-tags noui,nolocalllm -trimpath"
run="${KOLGRAPH_NORNICDB_RUN:-${TMPDIR:-/tmp}/kolgraph-nornicdb.$(id -u)}"
pidfile="$run/nornicdb.pid"
envfile="$run/settings"

log() { echo "nornicdb.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# key identifies a build: everything it is made from (the pinned module
# graph, the Go toolchain and platform, how it is built). Each key has its
# own file in the cache, so runs of different branches or toolchains on one
# machine neither rebuild each other's binary nor run the wrong one.
key() {
	{
		cat "$module/go.mod" "$module/go.sum"
		go env GOVERSION GOOS GOARCH GOAMD64 GOARM64
		echo "$version $build_env $build_flags"
	} | sha256sum | cut -c1-16
}

cmd_build() {
	command -v go >/dev/null || die "go is not on PATH"
	mkdir -p "$cache"
	local bin
	bin="$cache/nornicdb-$version-$(key)"
	# One build per key at a time: concurrent runs (clones of one machine)
	# wait for it instead of compiling the same ~350 modules twice.
	exec 9>"$bin.lock"
	flock 9
	if [[ ! -x "$bin" ]]; then
		log "building NornicDB $version (a cold build takes 4-8 minutes)..."
		local tmp="$bin.tmp.$$"
		# GOWORK=off and GOFLAGS=-mod=readonly: build exactly the pinned graph.
		# shellcheck disable=SC2086 # the flags are words
		(cd "$module" && env $build_env go build $build_flags -o "$tmp" github.com/orneryd/nornicdb/cmd/nornicdb) ||
			{ rm -f "$tmp"; die "build failed"; }
		mv -f "$tmp" "$bin"
	fi
	exec 9>&-
	echo "$bin"
}

# port_free reports whether nothing listens on 127.0.0.1:$1.
port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$((20000 + RANDOM % 40000))
		if port_free "$p"; then
			echo "$p"
			return
		fi
	done
	die "no free port found"
}

running() {
	[[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

# bolt_answers reports whether the Bolt port completes a handshake: the server
# must answer the 20-byte preamble with a 4-byte version.
bolt_answers() {
	local reply
	reply=$(
		exec 2>/dev/null
		exec 3<>"/dev/tcp/127.0.0.1/$BOLT_PORT" || exit 1
		# magic 0x6060B017, then four proposals: 4.4 and zero padding
		printf '\x60\x60\xb0\x17\x00\x00\x04\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00' >&3
		timeout 2 head -c 4 <&3 | od -An -tx1 | tr -d ' \n'
	) 2>/dev/null || return 1
	[[ "$reply" == "00000404" ]]
}

# launch starts the server with the settings in $envfile and waits for Bolt.
launch() {
	# shellcheck source=/dev/null
	. "$envfile"
	local b
	b=$(cmd_build)
	# An explicit, empty config file keeps the server from picking up a
	# config.yaml from $HOME, the binary's directory or the working directory.
	[[ -f "$run/nornicdb.yaml" ]] || echo "# kolgraph CI: defaults and flags only" >"$run/nornicdb.yaml"
	# setsid: the server outlives this script and gets its own process group.
	(
		cd "$run"
		NORNICDB_TELEMETRY_LISTEN="127.0.0.1:$TELEMETRY_PORT" exec setsid "$b" \
			--config "$run/nornicdb.yaml" serve \
			--address 127.0.0.1 --bolt-port "$BOLT_PORT" --http-port "$HTTP_PORT" \
			--data-dir "$run/data" --headless --mcp-enabled=false \
			--search-bm25-enabled=false --search-vector-enabled=false \
			--admin-password "$PASSWORD" </dev/null >>"$run/nornicdb.log" 2>&1
	) &
	echo $! >"$pidfile"
	local i
	for i in $(seq 1 300); do
		if bolt_answers; then
			return 0
		fi
		if ! running; then
			tail -n 20 "$run/nornicdb.log" >&2 || true
			die "server exited during start-up (log: $run/nornicdb.log)"
		fi
		sleep 0.1
	done
	die "Bolt did not answer on 127.0.0.1:$BOLT_PORT within 30s (log: $run/nornicdb.log)"
}

print_env() {
	# shellcheck source=/dev/null
	. "$envfile"
	echo "export KOLGRAPH_TEST_NEO4J_URI=bolt://127.0.0.1:$BOLT_PORT"
	echo "export KOLGRAPH_TEST_NEO4J_USER=admin"
	echo "export KOLGRAPH_TEST_NEO4J_PASSWORD=$PASSWORD"
	echo "export KOLGRAPH_TEST_NEO4J_PIDFILE=$pidfile"
	echo "export KOLGRAPH_TEST_NEO4J_CONTROL=$here/nornicdb.sh"
	echo "export KOLGRAPH_NORNICDB_RUN=$run"
}

cmd_start() {
	if running; then
		die "already running (pid $(cat "$pidfile"), run dir $run); use stop first"
	fi
	cmd_build >/dev/null
	rm -rf "$run"
	mkdir -p "$run"
	chmod 700 "$run"
	local pw
	pw=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | head -c 24)
	local bolt http tele
	bolt=$(free_port)
	http=$(free_port)
	tele=$(free_port)
	[[ "$bolt" != "$http" && "$bolt" != "$tele" && "$http" != "$tele" ]] || { http=$(free_port); tele=$(free_port); }
	cat >"$envfile" <<EOF
BOLT_PORT=$bolt
HTTP_PORT=$http
TELEMETRY_PORT=$tele
PASSWORD=$pw
EOF
	launch
	log "NornicDB $version on bolt://127.0.0.1:$bolt (pid $(cat "$pidfile"), run dir $run)"
	print_env
}

# stop_process ends the server (TERM, then KILL after 15s) by its recorded pid.
stop_process() {
	running || { rm -f "$pidfile"; return 0; }
	local pid i
	pid=$(cat "$pidfile")
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 150); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "pid $pid ignored TERM; killing"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$pidfile"
}

cmd_stop() {
	stop_process
	rm -rf "$run"
}

cmd_kill() {
	[[ -f "$envfile" ]] || die "no server was started in $run"
	stop_process
}

cmd_resume() {
	[[ -f "$envfile" ]] || die "no server was started in $run"
	running && return 0
	launch
	log "resumed on pid $(cat "$pidfile")"
}

cmd_status() {
	[[ -f "$envfile" ]] || exit 1
	# shellcheck source=/dev/null
	. "$envfile"
	running && bolt_answers
}

case "${1:-}" in
build) cmd_build ;;
start) cmd_start ;;
stop) cmd_stop ;;
kill) cmd_kill ;;
resume) cmd_resume ;;
status) cmd_status ;;
env) print_env ;;
*)
	sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
