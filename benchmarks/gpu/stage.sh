#!/usr/bin/env bash
# Builds the GPU check's payload here, where .NET is: self-contained linux-x64 publishes of the server, loadgen and
# infergrpc, in one xz archive split into parts that each fit a 64 MiB device transfer (docs/GPU.md).
# Usage: benchmarks/gpu/stage.sh            -> artifacts/gpu-stage/payload.tar.xz.part-00, -01, ...
set -euo pipefail
cd "$(dirname "$0")/../.."
stage=artifacts/gpu-stage
rm -rf "$stage" && mkdir -p "$stage/pub"
for app in src/InferenceGrpc.Server:server benchmarks/InferenceGrpc.LoadGen:loadgen src/InferenceGrpc.Cli:infergrpc; do
  dotnet publish "${app%%:*}" -c Release -r linux-x64 --self-contained -o "$stage/pub/${app##*:}"
done
# The 284 MB CUDA provider library once: loadgen's copy becomes a hard link, which tar stores as a link.
ln -f "$stage/pub/server/libonnxruntime_providers_cuda.so" "$stage/pub/loadgen/libonnxruntime_providers_cuda.so"
# Same-named files side by side (sorted by file name), so xz finds the three .NET runtimes within its window.
(cd "$stage/pub" && find . -type f | sort -t/ -k3 | tar -cf - -T -) | xz -9 -T0 |
  split -b "${PART_SIZE:-60M}" -d - "$stage/payload.tar.xz.part-"
rm -rf "$stage/pub"
ls -l "$stage"
