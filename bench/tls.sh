#!/usr/bin/env bash
# Full TLS 1.3 handshakes per second with an ECDSA P-256 certificate:
# pbxgate's TLS listener against nginx serving the same certificate, on this
# machine, in one run (bench/tls is the client; see bench/tls/README.md).
#
#   bench/tls.sh                      5 rounds x 3s per server (~40s after the build)
#   bench/tls.sh -d 10s -rounds 3     extra flags go to the client (go run ./bench/tls -h)
#
# Installs nginx with apt-get when it is missing (needs root). Everything
# else lives in a temporary directory that is removed at the end, with both
# servers stopped; they listen on loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."

sni=bench.example.com
procs=$(nproc)

install_nginx() {
	echo "== installing nginx (apt-get)" >&2
	# Keep the package's init script from starting a system nginx on port 80:
	# Debian's policy-rc.d convention, only while installing.
	local policy=/usr/sbin/policy-rc.d made_policy=
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 755 "$policy"
		made_policy=1
	fi
	local rc=0
	apt-get update -qq || rc=$?
	if ((rc == 0)); then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null ||
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null || rc=$?
	fi
	if [[ -n $made_policy ]]; then
		rm -f "$policy"
	fi
	return "$rc"
}

if ! command -v nginx >/dev/null; then
	install_nginx
fi
for tool in nginx openssl sha256sum; do
	command -v "$tool" >/dev/null || {
		echo "bench/tls.sh: $tool not found" >&2
		exit 1
	}
done

tmp=$(mktemp -d)
pbx_pid=
ngx_pid=
client_pid=

cleanup() {
	local pid
	for pid in $client_pid $pbx_pid $ngx_pid; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -TERM "$pid" 2>/dev/null || true
		fi
	done
	for pid in $client_pid $pbx_pid $ngx_pid; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# free_port prints a loopback TCP port that nothing answers on.
free_port() {
	local port
	for _ in $(seq 100); do
		port=$((20000 + RANDOM % 30000))
		if ! (: <>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			echo "$port"
			return
		fi
	done
	echo "bench/tls.sh: no free port found" >&2
	return 1
}

# wait_port PORT PID NAME LOG waits until PORT answers while PID lives.
wait_port() {
	local port=$1 pid=$2 name=$3 log=$4
	for _ in $(seq 600); do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "bench/tls.sh: $name exited; its log:" >&2
			cat "$log" >&2 || true
			return 1
		fi
		if (: <>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			return
		fi
		sleep 0.1
	done
	echo "bench/tls.sh: $name does not answer on 127.0.0.1:$port" >&2
	return 1
}

echo "== building pbxgate and the client" >&2
go build -o "$tmp/pbxgate" ./cmd/pbxgate
go build -o "$tmp/tlsbench" ./bench/tls

# One ECDSA P-256 key and self-signed certificate, served by both.
mkdir "$tmp/cert" "$tmp/data" "$tmp/nginx"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
	-subj "/CN=$sni" -addext "subjectAltName=DNS:$sni" \
	-keyout "$tmp/cert/server.key" -out "$tmp/cert/server.crt" 2>/dev/null
sha=$(openssl x509 -in "$tmp/cert/server.crt" -outform DER | sha256sum | cut -d' ' -f1)

ngx_port=$(free_port)
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes $procs;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events {
	worker_connections 4096;
}
http {
	access_log off;
	server {
		listen 127.0.0.1:$ngx_port ssl;
		server_name $sni;
		ssl_certificate $tmp/cert/server.crt;
		ssl_certificate_key $tmp/cert/server.key;
		ssl_protocols TLSv1.3;
		ssl_session_cache off;
		ssl_session_tickets off;
		location / {
			return 200 "ok\n";
		}
	}
}
EOF
nginx -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" >"$tmp/nginx/stdout.log" 2>&1 &
ngx_pid=$!

# The admin user's password, made here so that pbxgate does not print one.
(umask 077 && openssl rand -hex 16 >"$tmp/data/admin-password")

pbx_port=$(free_port)
while [[ $pbx_port == "$ngx_port" ]]; do
	pbx_port=$(free_port)
done
cat >"$tmp/pbxgate.yaml" <<EOF
master_domain: $sni
listeners:
  - name: https
    address: 127.0.0.1:$pbx_port
    tls: true
    certdir: $tmp/cert
http:
  shutdown_timeout: 2s
log:
  level: warn
EOF
GOMAXPROCS=$procs "$tmp/pbxgate" serve --config "$tmp/pbxgate.yaml" --data "$tmp/data" >"$tmp/pbxgate.log" 2>&1 &
pbx_pid=$!

wait_port "$ngx_port" "$ngx_pid" nginx "$tmp/nginx/error.log"
wait_port "$pbx_port" "$pbx_pid" pbxgate "$tmp/pbxgate.log"
echo "== $(nginx -v 2>&1 | sed 's/^nginx version: //') built with $(nginx -V 2>&1 | sed -n 's/^built with //p');" \
	"pbxgate GOMAXPROCS and nginx workers: $procs" >&2

"$tmp/tlsbench" -sni "$sni" -expect-sha256 "$sha" -base nginx -d 3s -rounds 5 \
	-target "pbxgate=127.0.0.1:$pbx_port" -pid "pbxgate=$pbx_pid" \
	-target "nginx=127.0.0.1:$ngx_port" -pid "nginx=$ngx_pid" "$@" &
# In the background, so that a signal to this script reaches the trap at once.
client_pid=$!
rc=0
wait "$client_pid" || rc=$?

if [[ -s $tmp/pbxgate.log ]]; then
	echo "== pbxgate log (warn and above)" >&2
	cat "$tmp/pbxgate.log" >&2
fi
if [[ -s $tmp/nginx/error.log ]]; then
	echo "== nginx error log (warn and above)" >&2
	cat "$tmp/nginx/error.log" >&2
fi
exit "$rc"
