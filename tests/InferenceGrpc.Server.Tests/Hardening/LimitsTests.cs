using System.Globalization;
using Grpc.Core;
using Inference;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Server.Hosting;
using InferenceGrpc.Server.Protocol;
using InferenceGrpc.Server.Tests.Infrastructure;
using InferenceGrpc.TestModels;

namespace InferenceGrpc.Server.Tests.Hardening;

/// <summary>
/// The request bounds (--max-tensor-elements, --max-request-bytes, --max-inputs-per-request) on a server whose
/// limits are set down to small values: each exceeded bound is INVALID_ARGUMENT naming the input, the limit and the value.
/// </summary>
public sealed class LimitsTests(LimitsTests.Fixture fixture) : IClassFixture<LimitsTests.Fixture>
{
    private const int MaxElements = 1000;
    private const int MaxBytes = 2000;
    private const int MaxInputs = 4;

    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = fixture.Client;

    public sealed class Fixture : ServerFixtureBase
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["Server:MaxTensorElements"] = MaxElements.ToString(CultureInfo.InvariantCulture),
            ["Server:MaxRequestBytes"] = MaxBytes.ToString(CultureInfo.InvariantCulture),
            ["Server:MaxInputsPerRequest"] = MaxInputs.ToString(CultureInfo.InvariantCulture),
        };

        private protected override void Populate(TestRepository repository) =>
            repository
                .AddModel(ModelNames.IdentityFp32AnyLength, TestModelFactory.Identity(TensorElementKind.Float, [null, null]))
                .AddModel(ModelNames.AddSubAnyLength, TestModelFactory.AddSub(TensorElementKind.Float, [null, null]))
                .AddModel(ModelNames.Identity("BYTES"), TestModelFactory.Identity(TensorElementKind.String, [null, null]));
    }

    private static ModelInferRequest Raw(int elements) =>
        Requests.For(ModelNames.IdentityFp32AnyLength, id: "r1").WithRaw("INPUT0", "FP32", [1, elements], new byte[elements * 4]);

    private static ModelInferRequest Typed(long[] shape, int values)
    {
        var contents = new InferTensorContents();
        contents.Fp32Contents.Add(Enumerable.Repeat(1.5f, values));
        return Requests.For(ModelNames.IdentityFp32AnyLength).WithTyped("INPUT0", "FP32", shape, contents);
    }

    [Fact]
    public async Task ModelInfer_AtEveryLimit_Succeeds()
    {
        // 500 FP32 elements: 2000 bytes, exactly the byte limit.
        var response = await _client.ModelInferAsync(Raw(500));

        Assert.Equal([1L, 500L], Assert.Single(response.Outputs).Shape);
        Assert.Equal(MaxBytes, Assert.Single(response.RawOutputContents).Length);
    }

    [Fact]
    public async Task ModelInfer_ShapeOverElementLimit_IsInvalidArgumentNamingInputLimitAndValue()
    {
        var request = Requests.For(ModelNames.IdentityFp32AnyLength).WithRaw("INPUT0", "FP32", [1, 1001], new byte[16]);

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, _client.ModelInferAsync(request),
            "INPUT0", "1001 elements", "limit of 1000", "--max-tensor-elements");
    }

    [Fact]
    public async Task ModelInfer_ShapeWhoseProductOverflows_IsInvalidArgumentOverTheElementLimit()
    {
        var request = Requests.For(ModelNames.IdentityFp32AnyLength).WithRaw("INPUT0", "FP32", [1L << 40, 1L << 40], new byte[16]);

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, _client.ModelInferAsync(request),
            "INPUT0", "[1099511627776,1099511627776]", "more than 9223372036854775807 elements", "limit of 1000", "--max-tensor-elements");
    }

    [Fact]
    public async Task ModelInfer_TypedContentsOverElementLimit_IsRefusedBeforeConversion()
    {
        // The shape is small: the element count of the contents is what is over.
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, _client.ModelInferAsync(Typed([1, 4], 1001)),
            "INPUT0", "contents hold 1001 elements", "limit of 1000", "--max-tensor-elements");
    }

    [Fact]
    public async Task ModelInfer_TypedContentsOverByteLimit_IsInvalidArgumentNamingBytes()
    {
        // 600 elements are within the element limit, but 2400 bytes as raw are over the byte limit.
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, _client.ModelInferAsync(Typed([1, 600], 600)),
            "INPUT0", "2400 bytes", "limit of 2000 bytes", "--max-request-bytes");
    }

    [Fact]
    public async Task ModelInfer_TypedBytesContentsOverByteLimit_CountsLengthPrefixes()
    {
        var contents = new InferTensorContents();
        contents.BytesContents.Add(Enumerable.Range(0, 4).Select(_ => Google.Protobuf.ByteString.CopyFrom(new byte[500])));
        var request = Requests.For(ModelNames.Identity("BYTES")).WithTyped("INPUT0", "BYTES", [1, 4], contents);

        // 4 × (4 + 500) = 2016 bytes as raw.
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, _client.ModelInferAsync(request),
            "INPUT0", "2016 bytes", "limit of 2000 bytes", "--max-request-bytes");
    }

    [Fact]
    public async Task ModelInfer_RawBytesOfAllInputsOverByteLimit_NamesTheInputThatCrossesIt()
    {
        // Each input alone (1200 bytes) is within the limit; together (2400) they are not.
        var request = Requests.For(ModelNames.AddSubAnyLength)
            .WithRaw("INPUT0", "FP32", [1, 300], new byte[1200])
            .WithRaw("INPUT1", "FP32", [1, 300], new byte[1200]);

        var ex = await RpcAssert.FailsAsync(StatusCode.InvalidArgument, _client.ModelInferAsync(request),
            "INPUT1", "2400 bytes", "limit of 2000 bytes", "--max-request-bytes");
        Assert.DoesNotContain("INPUT0", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelInfer_MoreInputsThanLimit_IsInvalidArgumentNamingCountAndLimit()
    {
        var request = Requests.For(ModelNames.IdentityFp32AnyLength);
        for (var i = 0; i < MaxInputs + 1; i++)
        {
            request.WithRaw($"INPUT{i}", "FP32", [1, 1], new byte[4]);
        }

        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, _client.ModelInferAsync(request),
            ModelNames.IdentityFp32AnyLength, "5 inputs", "limit of 4", "--max-inputs-per-request");
    }

    [Fact]
    public async Task ModelInfer_AfterRequestsOverLimits_StillServes()
    {
        await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelInferAsync(Raw(1001)));

        var response = await _client.ModelInferAsync(Requests.For(ModelNames.IdentityFp32AnyLength)
            .WithRaw("INPUT0", "FP32", [1, 2], Requests.Floats([1f, -2f])));

        Assert.Equal([1f, -2f], Requests.ToFloats(Assert.Single(response.RawOutputContents)));
    }

    [Fact]
    public async Task ModelStreamInfer_RequestOverLimit_IsAnsweredInBandWithItsIdAndTheStreamGoesOn()
    {
        using var call = _client.ModelStreamInfer();
        await call.RequestStream.WriteAsync(Raw(1001));
        await call.RequestStream.WriteAsync(Raw(2));
        await call.RequestStream.CompleteAsync();

        Assert.True(await call.ResponseStream.MoveNext());
        var refused = call.ResponseStream.Current;
        Assert.Contains("--max-tensor-elements", refused.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("1001", refused.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal("r1", refused.InferResponse.Id);
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Empty(call.ResponseStream.Current.ErrorMessage);
        Assert.False(await call.ResponseStream.MoveNext());
    }

    [Fact]
    public void Decode_DefaultLimits_RefuseA256MegaElementShapeButTakeA64MegaOne()
    {
        var over = Requests.For("m").WithRaw("x", "BOOL", [1 << 14, 1 << 14], new byte[1]);
        var at = Requests.For("m").WithRaw("x", "BOOL", [1 << 13, 1 << 13], new byte[1]);

        var ex = Assert.Throws<InferenceException>(() => RequestDecoder.Decode(over, RequestLimits.Default));

        Assert.Equal(InferenceErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("268435456 elements, over the limit of 67108864", ex.Message, StringComparison.Ordinal);
        Assert.Equal("x", Assert.Single(RequestDecoder.Decode(at, RequestLimits.Default).Inputs).Name);
    }

    [Fact]
    public async Task ModelInfer_HugestQueueTimeout_IsCappedAndServes()
    {
        // Found by the fuzz test: timeout = ulong.MaxValue µs overflowed DateTimeOffset in the scheduler (INTERNAL).
        var request = Raw(2);
        request.Parameters["timeout"] = new InferParameter { Uint64Param = ulong.MaxValue };

        var response = await _client.ModelInferAsync(request);

        Assert.Equal("r1", response.Id);
        Assert.Equal(RequestDecoder.MaxQueueTimeout, RequestDecoder.Decode(request).QueueTimeout);
    }

    [Fact]
    public void Defaults_AreSixtyFourMegaElementsSixtyFourMebibytesAndSixtyFourInputs()
    {
        var options = new ServerOptions();

        Assert.Equal(64L * 1024 * 1024, options.MaxTensorElements);
        Assert.Equal(64L * 1024 * 1024, options.MaxRequestBytes);
        Assert.Equal(64, options.MaxInputsPerRequest);
        Assert.Equal(RequestLimits.Default, new RequestLimits(options.MaxTensorElements, options.MaxRequestBytes, options.MaxInputsPerRequest));
    }

    [Fact]
    public void Flags_MapToTheirKeys_AndTakeValuesBeyondInt32()
    {
        var result = CommandLineFlags.Parse(
            ["--max-tensor-elements", "5000000000", "--max-request-bytes=3000000000", "--max-inputs-per-request", "8"]);

        Assert.Empty(result.Errors);
        Assert.Equal("5000000000", result.Values["Server:MaxTensorElements"]);
        Assert.Equal("3000000000", result.Values["Server:MaxRequestBytes"]);
        Assert.Equal("8", result.Values["Server:MaxInputsPerRequest"]);
        Assert.Contains("needs a whole number", Assert.Single(CommandLineFlags.Parse(["--max-request-bytes", "lots"]).Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Validator_NonPositiveLimits_FailNamingEachFlag()
    {
        var options = new ServerOptions { ModelRepository = Path.GetTempPath(), MaxTensorElements = 0, MaxRequestBytes = -1, MaxInputsPerRequest = 0 };

        var result = new ServerOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = string.Join('\n', result.Failures!);
        Assert.Contains("--max-tensor-elements must be 1 or more, got 0", failures, StringComparison.Ordinal);
        Assert.Contains("--max-request-bytes must be 1 or more, got -1", failures, StringComparison.Ordinal);
        Assert.Contains("--max-inputs-per-request must be 1..65536, got 0", failures, StringComparison.Ordinal);
    }
}
