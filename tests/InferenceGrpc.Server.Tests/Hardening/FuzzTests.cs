using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Inference;
using InferenceGrpc.Server.Tests.Infrastructure;
using InferenceGrpc.TestModels;
using Xunit.Abstractions;

namespace InferenceGrpc.Server.Tests.Hardening;

/// <summary>
/// Generated and mutated ModelInferRequests, unary and on a few ModelStreamInfer streams, against a server over
/// several generated models: every answer is OK or a documented client-error status (never UNKNOWN or INTERNAL),
/// stream errors come in band with the request's id, nothing hangs, and the server serves exact predictions after.
/// FUZZ_ITERATIONS (default 10000) sets the number of requests; the seed is fixed.
/// </summary>
public sealed class FuzzTests(FuzzTests.Fixture fixture, ITestOutputHelper output) : IClassFixture<FuzzTests.Fixture>
{
    private const int Seed = 20261127;
    private const int UnaryWorkers = 8;
    private const int Streams = 4;

    /// <summary>A bound per call far above any real answer: a call that takes longer is a hang.</summary>
    private static readonly TimeSpan CallGuard = TimeSpan.FromSeconds(20);

    private static readonly StatusCode[] Documented =
        [StatusCode.OK, StatusCode.InvalidArgument, StatusCode.NotFound, StatusCode.Unavailable, StatusCode.ResourceExhausted, StatusCode.DeadlineExceeded];

    private static readonly string[] ValidTypes =
        ["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "BF16", "FP32", "FP64", "BYTES"];

    private static readonly string[] InvalidTypes =
        ["", "fp32", "FP33", "FLOAT", "TYPE_FP32", "BYTES ", " INT8", "\0", "STRING", "FP32\u0000", "Ω", new string('X', 300)];

    // The models: name, input names, datatype, inner shape (after the batch dimension), max batch.
    private static readonly ModelCase[] Models =
    [
        new("fuzz_fp32", ["INPUT0"], "FP32", 4, 4),
        new("fuzz_int64", ["INPUT0"], "INT64", 4, 4),
        new("fuzz_uint8", ["INPUT0"], "UINT8", 4, 4),
        new("fuzz_bool", ["INPUT0"], "BOOL", 4, 4),
        new("fuzz_fp16", ["INPUT0"], "FP16", 4, 4),
        new("fuzz_bytes", ["INPUT0"], "BYTES", 4, 4),
        new("fuzz_addsub", ["INPUT0", "INPUT1"], "FP32", 16, 8),
    ];

    public sealed class Fixture : ServerFixtureBase
    {
        private protected override void Populate(TestRepository repository) =>
            repository
                .AddModel("fuzz_fp32", TestModelFactory.Identity(TensorElementKind.Float, [null, 4]))
                .AddModel("fuzz_int64", TestModelFactory.Identity(TensorElementKind.Int64, [null, 4]))
                .AddModel("fuzz_uint8", TestModelFactory.Identity(TensorElementKind.UInt8, [null, 4]))
                .AddModel("fuzz_bool", TestModelFactory.Identity(TensorElementKind.Bool, [null, 4]))
                .AddModel("fuzz_fp16", TestModelFactory.Identity(TensorElementKind.Float16, [null, 4]))
                .AddModel("fuzz_bytes", TestModelFactory.Identity(TensorElementKind.String, [null, 4]))
                // Inputs of a fixed [batch,16], so shapes that disagree are refused by validation, not by ONNX Runtime.
                .AddModel("fuzz_addsub", TestModelFactory.AddSub(TensorElementKind.Float))
                .AddConfig("fuzz_addsub", """{"max_batch_size": 8, "dynamic_batching": {"priority_levels": 2, "default_priority_level": 2}}""");
    }

    private sealed record ModelCase(string Name, string[] Inputs, string Datatype, int Inner, int MaxBatch);

    [Fact]
    public async Task Fuzz_GeneratedAndMutatedRequests_AnswerDocumentedStatusesAndTheServerStillServes()
    {
        var iterations = Iterations();
        var streamShare = iterations / 5;
        var perStream = streamShare / Streams;
        var unary = iterations - (perStream * Streams);
        var codes = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var failures = new ConcurrentQueue<string>();
        var clock = Stopwatch.StartNew();

        var workers = Enumerable.Range(0, UnaryWorkers)
            .Select(w => Task.Run(() => UnaryWorkerAsync(w, (unary / UnaryWorkers) + (w < unary % UnaryWorkers ? 1 : 0), codes, failures)))
            .Concat(Enumerable.Range(0, Streams).Select(s => Task.Run(() => StreamWorkerAsync(s, perStream, codes, failures))))
            .ToArray();
        await Task.WhenAll(workers);
        clock.Stop();

        output.WriteLine($"{iterations} requests ({unary} unary, {perStream * Streams} on {Streams} streams) in {clock.Elapsed.TotalSeconds:F1} s, seed {Seed}");
        foreach (var (code, count) in codes.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {code}: {count}");
        }

        Assert.True(failures.IsEmpty, $"{failures.Count} bad answers, the first ones:\n{string.Join('\n', failures.Take(10))}");
        Assert.Equal(iterations, codes.Values.Sum());

        await AssertServesExactlyAsync();
    }

    private static int Iterations()
    {
        var text = Environment.GetEnvironmentVariable("FUZZ_ITERATIONS");
        return string.IsNullOrWhiteSpace(text) ? 10_000 : int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
    }

    private async Task UnaryWorkerAsync(int worker, int count, ConcurrentDictionary<string, int> codes, ConcurrentQueue<string> failures)
    {
        var random = new Random(Seed + worker);
        for (var i = 0; i < count; i++)
        {
            var (request, mutations) = Generate(random);
            var started = Stopwatch.GetTimestamp();
            StatusCode code;
            string detail;
            try
            {
                var response = await fixture.Client.ModelInferAsync(request, deadline: DateTime.UtcNow + CallGuard);
                code = StatusCode.OK;
                detail = "";
                if (response.Id != request.Id)
                {
                    failures.Enqueue($"unary [{mutations}]: id '{response.Id}' answered for '{request.Id}'");
                }
            }
            catch (RpcException ex)
            {
                code = ex.StatusCode;
                detail = ex.Status.Detail;
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            codes.AddOrUpdate(code.ToString(), 1, static (_, n) => n + 1);
            if (!Documented.Contains(code))
            {
                failures.Enqueue($"unary [{mutations}]: {code} \"{detail}\" for {Describe(request)}");
            }
            else if (code != StatusCode.OK && string.IsNullOrWhiteSpace(detail))
            {
                failures.Enqueue($"unary [{mutations}]: {code} without a message for {Describe(request)}");
            }
            else if (elapsed > CallGuard / 2)
            {
                failures.Enqueue($"unary [{mutations}]: {code} after {elapsed.TotalSeconds:F1} s (a hang) for {Describe(request)}");
            }
        }
    }

    private async Task StreamWorkerAsync(int stream, int count, ConcurrentDictionary<string, int> codes, ConcurrentQueue<string> failures)
    {
        var random = new Random(Seed + 1000 + stream);
        var sent = new ConcurrentQueue<(string Id, string Mutations)>();
        using var call = fixture.Client.ModelStreamInfer(deadline: DateTime.UtcNow + TimeSpan.FromMinutes(30));
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                var (request, mutations) = Generate(random);
                request.Id = $"s{stream}-{i}";
                sent.Enqueue((request.Id, mutations));
                await call.RequestStream.WriteAsync(request);
            }

            await call.RequestStream.CompleteAsync();
        });

        var answered = 0;
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            var response = call.ResponseStream.Current;
            if (!sent.TryDequeue(out var expected))
            {
                failures.Enqueue($"stream {stream}: an answer for a request never sent (id '{response.InferResponse?.Id}')");
                break;
            }

            answered++;
            var ok = string.IsNullOrEmpty(response.ErrorMessage);
            codes.AddOrUpdate(ok ? "stream OK" : "stream in-band error", 1, static (_, n) => n + 1);
            if (response.InferResponse is null || response.InferResponse.Id != expected.Id)
            {
                failures.Enqueue($"stream {stream} [{expected.Mutations}]: answer id '{response.InferResponse?.Id}' for request '{expected.Id}'");
            }

            if (!ok && string.IsNullOrWhiteSpace(response.ErrorMessage))
            {
                failures.Enqueue($"stream {stream} [{expected.Mutations}]: an empty error message");
            }
        }

        await writer;
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        if (answered != count)
        {
            failures.Enqueue($"stream {stream}: {answered} answers for {count} requests");
        }
    }

    /// <summary>A valid request to a random model, then 0 to 3 mutations; the text lists the mutations.</summary>
    private static (ModelInferRequest Request, string Mutations) Generate(Random random)
    {
        var model = Models[random.Next(Models.Length)];
        var batch = random.Next(1, model.MaxBatch + 1);
        var request = new ModelInferRequest { ModelName = model.Name, Id = random.Next(4) == 0 ? "" : "id-" + random.Next() };
        var typed = model.Datatype is not ("FP16" or "BF16") && random.Next(4) == 0;
        foreach (var name in model.Inputs)
        {
            var input = Requests.Input(name, model.Datatype, [batch, model.Inner]);
            if (typed)
            {
                input.Contents = ValidTyped(random, model.Datatype, batch * model.Inner);
            }
            else
            {
                request.RawInputContents.Add(ByteString.CopyFrom(ValidRaw(random, model.Datatype, batch * model.Inner)));
            }

            request.Inputs.Add(input);
        }

        var applied = new List<string>();
        var mutations = random.Next(5) == 0 ? 0 : random.Next(1, 4);
        for (var m = 0; m < mutations; m++)
        {
            applied.Add(Mutate(random, request));
        }

        return (request, applied.Count == 0 ? "valid" : string.Join(", ", applied));
    }

    private static string Mutate(Random random, ModelInferRequest request)
    {
        var inputs = request.Inputs;
        var index = inputs.Count == 0 ? -1 : random.Next(inputs.Count);
        var input = index < 0 ? null : inputs[index];
        switch (random.Next(16))
        {
            case 0 when input is not null:
                input.Datatype = random.Next(2) == 0 ? ValidTypes[random.Next(ValidTypes.Length)] : InvalidTypes[random.Next(InvalidTypes.Length)];
                return "datatype";
            case 1 when input is not null:
                MutateShape(random, input.Shape);
                return "shape";
            case 2 when index >= 0 && request.RawInputContents.Count > index:
                var raw = request.RawInputContents[index].ToByteArray();
                var length = Math.Max(0, raw.Length + (random.Next(2) == 0 ? -1 : 1));
                Array.Resize(ref raw, length);
                request.RawInputContents[index] = ByteString.CopyFrom(raw);
                return "raw length ±1";
            case 3 when index >= 0 && request.RawInputContents.Count > index:
                request.RawInputContents[index] = ByteString.CopyFrom(Garbage(random, random.Next(0, 300)));
                return "garbage bytes";
            case 4 when input is not null:
                input.Name = random.Next(3) switch { 0 => "", 1 => "INPUT" + random.Next(10), _ => new string((char)random.Next(1, 0xD7FF), random.Next(1, 40)) };
                return "input name";
            case 5 when input is not null:
                inputs.Add(input.Clone());
                if (request.RawInputContents.Count > index)
                {
                    request.RawInputContents.Add(request.RawInputContents[index]);
                }

                return "duplicate input";
            case 6 when input is not null:
                inputs.RemoveAt(index);
                if (request.RawInputContents.Count > index)
                {
                    request.RawInputContents.RemoveAt(index);
                }

                return "missing input";
            case 7:
                request.Parameters[random.Next(3) switch { 0 => "priority", 1 => "timeout", _ => "p" + random.Next(5) }] = RandomParameter(random);
                return "parameter";
            case 8 when index >= 0 && request.RawInputContents.Count > index:
                // NaN, ±Inf and other special bit patterns: valid data for float types, just odd.
                var special = request.RawInputContents[index].ToByteArray();
                float[] values = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, float.Epsilon, float.MaxValue];
                for (var offset = 0; offset + 4 <= special.Length; offset += 4)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(special.AsSpan(offset), values[random.Next(values.Length)]);
                }

                request.RawInputContents[index] = ByteString.CopyFrom(special);
                return "NaN/Inf";
            case 9 when input is not null:
                // Typed contents in a random field (often not the datatype's), with or without raw data as well.
                input.Contents = RandomTyped(random);
                if (random.Next(2) == 0)
                {
                    request.RawInputContents.Clear();
                }

                return "typed contents";
            case 10:
                var outputs = random.Next(3) switch { 0 => ["OUTPUT9"], 1 => ["OUTPUT0", "OUTPUT0"], _ => new[] { "", "OUTPUT0" } };
                request.Outputs.Add(outputs.Select(n => new ModelInferRequest.Types.InferRequestedOutputTensor { Name = n }));
                return "requested outputs";
            case 11:
                request.ModelName = random.Next(3) switch { 0 => "", 1 => "no_such_model", _ => request.ModelName };
                request.ModelVersion = random.Next(4) switch { 0 => "99", 1 => "-1", 2 => "abc", _ => "1" };
                return "model/version";
            case 12:
                request.RawInputContents.Add(ByteString.CopyFrom(Garbage(random, random.Next(0, 64))));
                return "extra raw entry";
            case 13 when index >= 0 && request.RawInputContents.Count > index:
                // BYTES-style length prefixes that run past the end, or claim huge elements.
                var prefixed = request.RawInputContents[index].ToByteArray();
                if (prefixed.Length >= 4)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(prefixed, random.Next(2) == 0 ? uint.MaxValue : (uint)random.Next(1, 1000));
                }

                request.RawInputContents[index] = ByteString.CopyFrom(prefixed);
                return "length prefix";
            case 14:
                request.Id = new string('i', random.Next(0, 2000));
                return "long id";
            default:
                inputs.Add(Requests.Input("EXTRA" + random.Next(3), ValidTypes[random.Next(ValidTypes.Length)], [1, random.Next(0, 5)]));
                if (request.RawInputContents.Count > 0)
                {
                    request.RawInputContents.Add(ByteString.CopyFrom(Garbage(random, random.Next(0, 32))));
                }

                return "unknown input";
        }
    }

    private static void MutateShape(Random random, Google.Protobuf.Collections.RepeatedField<long> shape)
    {
        long[] odd = [-1, -2, long.MinValue, 0, 1L << 31, 1L << 40, 1L << 62, long.MaxValue, int.MaxValue, 3, 100_000_000];
        switch (random.Next(5))
        {
            case 0 when shape.Count > 0:
                shape[random.Next(shape.Count)] = odd[random.Next(odd.Length)];
                break;
            case 1 when shape.Count > 0:
                shape.RemoveAt(random.Next(shape.Count));
                break;
            case 2:
                shape.Add(odd[random.Next(odd.Length)]);
                break;
            case 3:
                // Every dimension large: the product overflows.
                for (var i = 0; i < shape.Count; i++)
                {
                    shape[i] = 1L << random.Next(20, 63);
                }

                break;
            default:
                shape.Clear();
                break;
        }
    }

    private static InferParameter RandomParameter(Random random) => random.Next(8) switch
    {
        0 => new InferParameter { StringParam = "high" },
        1 => new InferParameter { BoolParam = true },
        2 => new InferParameter { DoubleParam = random.Next(2) == 0 ? double.NaN : 1e300 },
        3 => new InferParameter { Int64Param = -random.Next(1, 1000) },
        4 => new InferParameter { Int64Param = long.MaxValue },
        5 => new InferParameter { Uint64Param = ulong.MaxValue },
        6 => new InferParameter { Uint64Param = (ulong)random.Next(0, 4) },
        _ => new InferParameter(),
    };

    private static InferTensorContents RandomTyped(Random random)
    {
        var contents = new InferTensorContents();
        var count = random.Next(0, 20);
        switch (random.Next(8))
        {
            case 0: contents.BoolContents.Add(Enumerable.Range(0, count).Select(_ => random.Next(2) == 0)); break;
            case 1: contents.IntContents.Add(Enumerable.Range(0, count).Select(_ => random.Next(int.MinValue, int.MaxValue))); break;
            case 2: contents.Int64Contents.Add(Enumerable.Range(0, count).Select(_ => random.NextInt64(long.MinValue, long.MaxValue))); break;
            case 3: contents.UintContents.Add(Enumerable.Range(0, count).Select(_ => (uint)random.Next())); break;
            case 4: contents.Uint64Contents.Add(Enumerable.Range(0, count).Select(_ => (ulong)random.NextInt64())); break;
            case 5: contents.Fp32Contents.Add(Enumerable.Range(0, count).Select(_ => random.Next(5) == 0 ? float.NaN : (float)random.NextDouble())); break;
            case 6: contents.Fp64Contents.Add(Enumerable.Range(0, count).Select(_ => random.Next(5) == 0 ? double.NegativeInfinity : random.NextDouble())); break;
            default: contents.BytesContents.Add(Enumerable.Range(0, count).Select(_ => ByteString.CopyFrom(Garbage(random, random.Next(0, 10))))); break;
        }

        if (random.Next(4) == 0)
        {
            contents.Fp32Contents.Add(1f);
        }

        return contents;
    }

    private static byte[] ValidRaw(Random random, string datatype, int elements)
    {
        switch (datatype)
        {
            case "BYTES":
                return Datatypes.EncodeBytes(Enumerable.Range(0, elements).Select(_ => Text(random)));
            case "BOOL":
                return Enumerable.Range(0, elements).Select(_ => (byte)random.Next(2)).ToArray();
            case "FP32":
                var floats = new byte[elements * 4];
                for (var i = 0; i < elements; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(floats.AsSpan(i * 4), (float)((random.NextDouble() * 200) - 100));
                }

                return floats;
            default:
                return Garbage(random, elements * DataTypeSize(datatype));
        }
    }

    private static InferTensorContents ValidTyped(Random random, string datatype, int elements)
    {
        var contents = new InferTensorContents();
        switch (datatype)
        {
            case "BYTES": contents.BytesContents.Add(Enumerable.Range(0, elements).Select(_ => ByteString.CopyFrom(Text(random)))); break;
            case "BOOL": contents.BoolContents.Add(Enumerable.Range(0, elements).Select(_ => random.Next(2) == 0)); break;
            case "INT64": contents.Int64Contents.Add(Enumerable.Range(0, elements).Select(_ => random.NextInt64(long.MinValue, long.MaxValue))); break;
            case "UINT8": contents.UintContents.Add(Enumerable.Range(0, elements).Select(_ => (uint)random.Next(0, random.Next(20) == 0 ? 1000 : 256))); break;
            default: contents.Fp32Contents.Add(Enumerable.Range(0, elements).Select(_ => (float)random.NextDouble())); break;
        }

        return contents;
    }

    private static int DataTypeSize(string datatype) => datatype switch
    {
        "BOOL" or "UINT8" or "INT8" => 1,
        "UINT16" or "INT16" or "FP16" or "BF16" => 2,
        "UINT32" or "INT32" or "FP32" => 4,
        _ => 8,
    };

    /// <summary>UTF-8 text of 0 to 11 characters, some of them multi-byte (ONNX strings must be UTF-8).</summary>
    private static byte[] Text(Random random)
    {
        const string alphabet = "abcXYZ 019_-é漢😀";
        var text = new System.Text.StringBuilder();
        for (var n = random.Next(0, 12); n > 0; n--)
        {
            var at = random.Next(alphabet.Length - 1);
            text.Append(char.IsHighSurrogate(alphabet[at]) ? alphabet.Substring(at, 2) : char.IsLowSurrogate(alphabet[at]) ? "a" : alphabet[at].ToString());
        }

        return System.Text.Encoding.UTF8.GetBytes(text.ToString());
    }

    private static byte[] Garbage(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Describe(ModelInferRequest request)
    {
        var text = request.ToString();
        return text.Length <= 600 ? text : text[..600] + "…";
    }

    private async Task AssertServesExactlyAsync()
    {
        var client = fixture.Client;
        Assert.True((await client.ServerLiveAsync(new ServerLiveRequest())).Live);
        Assert.True((await client.ServerReadyAsync(new ServerReadyRequest())).Ready);

        float[] values = [1.5f, -2.25f, 3f, 1e-7f, -0f, 42f, float.MaxValue, -7.75f];
        var identity = await client.ModelInferAsync(
            Requests.For("fuzz_fp32", id: "after").WithRaw("INPUT0", "FP32", [2, 4], Requests.Floats(values)));
        Assert.Equal("after", identity.Id);
        Assert.Equal(values, Requests.ToFloats(Assert.Single(identity.RawOutputContents)));

        var a = Requests.Sequence(32, 0.5f);
        var b = Requests.Sequence(32, -0.25f, 3f);
        var addSub = await client.ModelInferAsync(Requests.For("fuzz_addsub")
            .WithRaw("INPUT0", "FP32", [2, 16], Requests.Floats(a))
            .WithRaw("INPUT1", "FP32", [2, 16], Requests.Floats(b)));
        Assert.Equal(a.Zip(b, (x, y) => x + y), Requests.ToFloats(addSub.RawOutputContents[0]));
        Assert.Equal(a.Zip(b, (x, y) => x - y), Requests.ToFloats(addSub.RawOutputContents[1]));

        var strings = new[] { "abc", "", "é漢😀", "x y" }.Select(System.Text.Encoding.UTF8.GetBytes).ToArray();
        var bytes = Datatypes.EncodeBytes(strings);
        var echoed = await client.ModelInferAsync(Requests.For("fuzz_bytes").WithRaw("INPUT0", "BYTES", [1, 4], bytes));
        Assert.Equal(bytes, Assert.Single(echoed.RawOutputContents).ToByteArray());
    }
}
