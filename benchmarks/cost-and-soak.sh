#!/usr/bin/env bash
# Observability cost (metrics off / on / on + tracing), a 5-minute memory soak, and the hot-path microbenchmarks.
# Needs a Release build of the server and loadgen and artifacts/models (run benchmarks/run-comparison.sh once first).
# Traffic goes to 127.0.0.1 only; every run is bounded.
cd "$(dirname "$0")/.."
OUT=${OUT:-artifacts/perf2}; mkdir -p "$OUT"
L="dotnet benchmarks/InferenceGrpc.LoadGen/bin/Release/net10.0/loadgen.dll"
S="dotnet src/InferenceGrpc.Server/bin/Release/net10.0/InferenceGrpc.Server.dll --model-repository artifacts/models --grpc-address 127.0.0.1 --grpc-port 18400 --metrics-port 18401 --execution-provider cpu --model-control-mode explicit --load-model text_direction"
run() { # label, extra server flags
  $S $2 > $OUT/server-$1.log 2>&1 & pid=$!
  sleep 7
  $L grpc --server http://127.0.0.1:18400 --model text_direction --concurrency 32 --duration 10 --warmup 2 --label $1 --out $OUT/obs-$1.json 2>&1 | grep "conc 32" | sed "s/^/$1: /"
  kill $pid; wait $pid 2>/dev/null
}
echo "== observability cost (text_direction, c=32, 10 s), two rounds"
for round in 1 2; do
  run metrics-off-$round "--allow-metrics false"
  run metrics-on-$round ""
  run metrics-tracing-$round "--otlp-endpoint http://127.0.0.1:4317"
done
echo "== soak: 300 s at c=32, server RSS every 30 s"
$S > $OUT/server-soak.log 2>&1 & pid=$!
sleep 7
( for i in $(seq 0 10); do echo "t=$((i*30))s rss_kb=$(ps -o rss= -p $pid) threads=$(ps -o nlwp= -p $pid)"; sleep 30; done ) > $OUT/soak-rss.txt &
sampler=$!
$L grpc --server http://127.0.0.1:18400 --model text_direction --concurrency 32 --duration 300 --warmup 2 --label soak --out $OUT/soak.json 2>&1 | grep "conc 32" | sed "s/^/soak: /"
curl -s http://127.0.0.1:18401/metrics | grep -E "^dotnet_gc_last_collection_heap_size_bytes|^dotnet_process_memory_working_set_bytes|^dotnet_gc_collections_total" > $OUT/soak-metrics.txt
wait $sampler
kill $pid; wait $pid 2>/dev/null
cat $OUT/soak-rss.txt
echo "== microbenchmarks"
dotnet run -c Release --project benchmarks/InferenceGrpc.Microbenchmarks -- --filter '*' --job short > $OUT/microbenchmarks.txt 2>&1
grep -E "^\|" $OUT/microbenchmarks.txt | head -30
echo done
