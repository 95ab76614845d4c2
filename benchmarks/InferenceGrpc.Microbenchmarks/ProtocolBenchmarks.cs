using System.Buffers;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Inference;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Server.Protocol;

namespace InferenceGrpc.Microbenchmarks;

/// <summary>
/// The server's own per-request work around the model, one text_direction crop (110,592 bytes in, 8 bytes out):
/// decoding the message into Core's request, validating it against the signature, encoding the result. The runner
/// is instant and called directly (no scheduler), so only our protocol and validation code is timed.
/// </summary>
[MemoryDiagnoser]
public class ProtocolBenchmarks
{
    private readonly InstantRunner _runner = new();
    private readonly ArrayBufferWriter<byte> _responseBytes = new(4096);
    private ModelInferRequest _request = null!;
    private byte[] _wire = null!;
    private InferenceRequest _decoded = null!;
    private InferenceResult _result = null!;

    [GlobalSetup]
    public void Setup()
    {
        _request = TextDirection.Request();
        _wire = _request.ToByteArray();
        _decoded = RequestDecoder.Decode(_request);
        var run = _runner.Run(_decoded.Inputs, TextDirection.Signature.OutputNames);
        _result = new InferenceResult(TextDirection.Model, 1, run.Outputs, run.Owner) { Timing = new InferenceTiming(TimeSpan.Zero, TimeSpan.Zero, 1) };
    }

    [Benchmark]
    public InferenceRequest Decode() => RequestDecoder.Decode(_request);

    [Benchmark]
    public int Validate() => RequestValidator.Validate(_decoded, TextDirection.Signature, TextDirection.Model);

    [Benchmark]
    public ModelInferResponse Encode() => ResponseEncoder.Encode(_result, _request.Id);

    /// <summary>What ModelInfer does beyond the model and the scheduler.</summary>
    [Benchmark(Baseline = true)]
    public ModelInferResponse DecodeValidateEncode() => Serve(_request);

    /// <summary>The same, from the request's wire bytes to the response's: protobuf parsing (one 110 KB copy) and serialisation included.</summary>
    [Benchmark]
    public int WireToWire()
    {
        var request = ModelInferRequest.Parser.ParseFrom(_wire);
        var response = Serve(request);
        _responseBytes.ResetWrittenCount();
        response.WriteTo(_responseBytes);
        return _responseBytes.WrittenCount;
    }

    private ModelInferResponse Serve(ModelInferRequest request)
    {
        var decoded = RequestDecoder.Decode(request);
        RequestValidator.Validate(decoded, TextDirection.Signature, decoded.ModelName);
        var run = _runner.Run(decoded.Inputs, TextDirection.Signature.OutputNames);
        using var result = new InferenceResult(TextDirection.Model, 1, run.Outputs, run.Owner)
        {
            Timing = new InferenceTiming(TimeSpan.Zero, TimeSpan.Zero, 1),
        };
        return ResponseEncoder.Encode(result, request.Id);
    }
}
