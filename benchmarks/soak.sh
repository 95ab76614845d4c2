#!/usr/bin/env bash
# Soak: mixed load (unary and streaming) for SOAK_MINUTES (default 10) against a Release server, reporting per
# minute the latency percentiles (one loadgen level per minute), the server's resident memory, GC heap and thread
# count. Needs a Release build of the server and loadgen and artifacts/models (benchmarks/run-comparison.sh builds
# them). Traffic goes to 127.0.0.1 only and stops by itself.
set -u
cd "$(dirname "$0")/.."
MINUTES=${SOAK_MINUTES:-10}
OUT=${OUT:-artifacts/soak}
mkdir -p "$OUT"
L="dotnet benchmarks/InferenceGrpc.LoadGen/bin/Release/net10.0/loadgen.dll"
dotnet src/InferenceGrpc.Server/bin/Release/net10.0/InferenceGrpc.Server.dll --model-repository artifacts/models \
  --grpc-address 127.0.0.1 --grpc-port 18500 --metrics-port 18501 --execution-provider cpu > "$OUT/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
sleep 10
levels=$(printf '%s,' $(yes 16 | head -n "$MINUTES")); levels=${levels%,}
slevels=$(printf '%s,' $(yes 4 | head -n "$MINUTES")); slevels=${slevels%,}
$L grpc --server http://127.0.0.1:18500 --model text_direction --concurrency "$levels" --duration 60 --warmup 2 \
  --label soak-unary --out "$OUT/unary.json" > "$OUT/unary.txt" 2>&1 &
unary=$!
$L grpc --server http://127.0.0.1:18500 --model text_direction --stream --window 4 --concurrency "$slevels" --duration 60 --warmup 2 \
  --label soak-stream --out "$OUT/stream.json" > "$OUT/stream.txt" 2>&1 &
stream=$!
echo "minute rss_mb gc_heap_mb threads" > "$OUT/memory.txt"
for m in $(seq 0 "$MINUTES"); do
  heap=$(curl -s http://127.0.0.1:18501/metrics | awk '/^dotnet_gc_last_collection_heap_size_bytes/ {s+=$2} END {printf "%.1f", s/1048576}')
  echo "$m $(( $(ps -o rss= -p $server) / 1024 )) $heap $(ps -o nlwp= -p $server | tr -d ' ')" >> "$OUT/memory.txt"
  [ "$m" -lt "$MINUTES" ] && sleep 60
done
wait $unary $stream
echo "== memory per minute"; cat "$OUT/memory.txt"
echo "== unary, one level per minute"; grep "conc " "$OUT/unary.txt"
echo "== stream, one level per minute"; grep "conc " "$OUT/stream.txt"
