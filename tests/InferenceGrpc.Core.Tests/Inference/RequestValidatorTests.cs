using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using static InferenceGrpc.Core.Tests.Fakes.Specs;

namespace InferenceGrpc.Core.Tests.Inference;

public sealed class RequestValidatorTests
{
    private const string Model = "classifier";

    // Batches up to 4; INPUT0 is FP32 [-1,3], TEXT is BYTES [-1,2].
    private static readonly ModelSignature Batching = Signature(
        4,
        [Tensor("INPUT0", DataType.Fp32, 3), Tensor("TEXT", DataType.Bytes, 2)],
        [Tensor("OUTPUT0", DataType.Fp32, 3), Tensor("OUTPUT1", DataType.Int64, 1)]);

    // No batch dimension: INPUT0 is exactly FP32 [2,3].
    private static readonly ModelSignature NonBatching = Signature(
        0,
        [Tensor("INPUT0", DataType.Fp32, 2, 3)],
        [Tensor("OUTPUT0", DataType.Fp32, 2, 3)]);

    private static InputTensor Input0(long batch) => Input("INPUT0", DataType.Fp32, batch, 3);

    private static InputTensor Text(long batch) =>
        new("TEXT", DataType.Bytes, [batch, 2], BytesTensor.Encode(Enumerable.Range(0, (int)batch * 2).Select(i => new byte[i])));

    private static InferenceRequest Request(params InputTensor[] inputs) => new() { ModelName = Model, Inputs = inputs };

    private static InferenceException AssertInvalid(InferenceRequest request, ModelSignature signature, string named)
    {
        var ex = Assert.Throws<InferenceException>(() => RequestValidator.Validate(request, signature, Model));
        Assert.Equal(InferenceErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains($"'{named}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{Model}'", ex.Message, StringComparison.Ordinal);
        return ex;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public void Validate_ValidBatchedRequest_ReturnsBatchSize(int batch)
    {
        Assert.Equal(batch, RequestValidator.Validate(Request(Input0(batch), Text(batch)), Batching, Model));
    }

    [Fact]
    public void Validate_InputsInAnyOrder_ReturnsBatchSize()
    {
        Assert.Equal(2, RequestValidator.Validate(Request(Text(2), Input0(2)), Batching, Model));
    }

    [Fact]
    public void Validate_ValidRequestedOutputs_ReturnsBatchSize()
    {
        var request = new InferenceRequest
        {
            ModelName = Model,
            Inputs = [Input0(2), Text(2)],
            RequestedOutputs = ["OUTPUT1", "OUTPUT0"],
        };

        Assert.Equal(2, RequestValidator.Validate(request, Batching, Model));
    }

    [Fact]
    public void Validate_NonBatchingModelExactShape_ReturnsOne()
    {
        Assert.Equal(1, RequestValidator.Validate(Request(Input("INPUT0", DataType.Fp32, 2, 3)), NonBatching, Model));
    }

    [Fact]
    public void Validate_NonBatchingModelWithLeadingBatchDim_Throws()
    {
        AssertInvalid(Request(Input("INPUT0", DataType.Fp32, 1, 2, 3)), NonBatching, "INPUT0");
    }

    [Fact]
    public void Validate_NonBatchingModelWrongFirstDim_Throws()
    {
        var ex = AssertInvalid(Request(Input("INPUT0", DataType.Fp32, 4, 3)), NonBatching, "INPUT0");
        Assert.Contains("[2,3]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[4,3]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NonBatchingModelDynamicFirstDim_AcceptsAnySizeWithoutBatchLimit()
    {
        var signature = Signature(0, [Tensor("INPUT0", DataType.Int32, -1, 3)], [Tensor("OUTPUT0", DataType.Int32, -1)]);

        Assert.Equal(1, RequestValidator.Validate(Request(Input("INPUT0", DataType.Int32, 100, 3)), signature, Model));
    }

    [Fact]
    public void Validate_WrongDatatype_Throws()
    {
        var ex = AssertInvalid(Request(Input("INPUT0", DataType.Int32, 2, 3), Text(2)), Batching, "INPUT0");
        Assert.Contains("FP32", ex.Message, StringComparison.Ordinal);
        Assert.Contains("INT32", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WrongRank_Throws()
    {
        AssertInvalid(Request(Input("INPUT0", DataType.Fp32, 2, 3, 1), Text(2)), Batching, "INPUT0");
    }

    [Fact]
    public void Validate_MissingBatchDim_Throws()
    {
        AssertInvalid(Request(Input("INPUT0", DataType.Fp32, 3), Text(1)), Batching, "INPUT0");
    }

    [Fact]
    public void Validate_WrongFixedDim_Throws()
    {
        var ex = AssertInvalid(Request(Input("INPUT0", DataType.Fp32, 2, 4), Text(2)), Batching, "INPUT0");
        Assert.Contains("[-1,3]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[2,4]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NegativeDim_Throws()
    {
        var request = Request(new InputTensor("INPUT0", DataType.Fp32, [-1, 3], Array.Empty<byte>()), Text(1));

        var ex = AssertInvalid(request, Batching, "INPUT0");
        Assert.Contains("negative", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NegativeDimWhereModelIsDynamic_Throws()
    {
        var signature = Signature(0, [Tensor("INPUT0", DataType.Fp32, -1)], [Tensor("OUTPUT0", DataType.Fp32, -1)]);

        var ex = AssertInvalid(Request(new InputTensor("INPUT0", DataType.Fp32, [-1], Array.Empty<byte>())), signature, "INPUT0");
        Assert.Contains("negative", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(23)]
    [InlineData(25)]
    [InlineData(0)]
    public void Validate_RawByteLengthMismatch_Throws(int length)
    {
        // [2,3] FP32 needs 24 bytes.
        var request = Request(new InputTensor("INPUT0", DataType.Fp32, [2, 3], new byte[length]), Text(2));

        var ex = AssertInvalid(request, Batching, "INPUT0");
        Assert.Contains("24", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BytesElementCountMismatch_Throws()
    {
        // [2,2] holds 4 elements; send 3.
        var text = new InputTensor("TEXT", DataType.Bytes, [2, 2], BytesTensor.Encode([[1], [2], [3]]));

        AssertInvalid(Request(Input0(2), text), Batching, "TEXT");
    }

    [Fact]
    public void Validate_BytesElementCountAboveShape_Throws()
    {
        var text = new InputTensor("TEXT", DataType.Bytes, [1, 2], BytesTensor.Encode([[1], [2], [3]]));

        AssertInvalid(Request(Input0(1), text), Batching, "TEXT");
    }

    [Fact]
    public void Validate_MalformedBytes_Throws()
    {
        // Two elements claimed, but the second's length runs past the end.
        var raw = BytesTensor.Encode([[1], [2, 3]])[..^1];
        var text = new InputTensor("TEXT", DataType.Bytes, [1, 2], raw);

        AssertInvalid(Request(Input0(1), text), Batching, "TEXT");
    }

    [Fact]
    public void Validate_EmptyBytesElements_Accepted()
    {
        var text = new InputTensor("TEXT", DataType.Bytes, [1, 2], BytesTensor.Encode([[], []]));

        Assert.Equal(1, RequestValidator.Validate(Request(Input0(1), text), Batching, Model));
    }

    [Fact]
    public void Validate_MissingInput_ThrowsNamingTheMissingInput()
    {
        AssertInvalid(Request(Input0(2)), Batching, "TEXT");
    }

    [Fact]
    public void Validate_NoInputs_ThrowsNamingAMissingInput()
    {
        AssertInvalid(Request(), Batching, "INPUT0");
    }

    [Fact]
    public void Validate_UnknownInput_Throws()
    {
        AssertInvalid(Request(Input0(1), Text(1), Input("EXTRA", DataType.Fp32, 1, 3)), Batching, "EXTRA");
    }

    [Fact]
    public void Validate_UnknownInputReplacingARequiredOne_ThrowsNamingTheUnknown()
    {
        AssertInvalid(Request(Input0(1), Input("TEXT2", DataType.Fp32, 1, 3)), Batching, "TEXT2");
    }

    [Fact]
    public void Validate_DuplicateInput_Throws()
    {
        AssertInvalid(Request(Input0(1), Input0(1), Text(1)), Batching, "INPUT0");
    }

    [Fact]
    public void Validate_InputNameDiffersOnlyInCase_ThrowsAsUnknown()
    {
        AssertInvalid(Request(Input("input0", DataType.Fp32, 1, 3), Text(1)), Batching, "input0");
    }

    [Fact]
    public void Validate_BatchZero_Throws()
    {
        var ex = AssertInvalid(Request(Input0(0), Text(0)), Batching, "INPUT0");
        Assert.Contains("max_batch_size", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BatchAboveMaxBatchSize_Throws()
    {
        var ex = AssertInvalid(Request(Input0(5), Text(5)), Batching, "INPUT0");
        Assert.Contains("max_batch_size", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_InputsWithDifferentBatchSizes_Throws()
    {
        AssertInvalid(Request(Input0(2), Text(3)), Batching, "TEXT");
    }

    [Fact]
    public void Validate_VolumeOverflowsLong_Throws()
    {
        var signature = Signature(4, [Tensor("INPUT0", DataType.Fp32, -1, -1)], [Tensor("OUTPUT0", DataType.Fp32, -1)]);
        var request = Request(new InputTensor("INPUT0", DataType.Fp32, [1, 1L << 32, 1L << 32], Array.Empty<byte>()));

        AssertInvalid(request, signature, "INPUT0");
    }

    [Fact]
    public void Validate_ByteSizeOverflowsLong_Throws()
    {
        // 2^62 elements fit a long, but 2^62 FP32 elements need 2^64 bytes.
        var signature = Signature(4, [Tensor("INPUT0", DataType.Fp32, -1, -1)], [Tensor("OUTPUT0", DataType.Fp32, -1)]);
        var request = Request(new InputTensor("INPUT0", DataType.Fp32, [1, 1L << 31, 1L << 31], Array.Empty<byte>()));

        AssertInvalid(request, signature, "INPUT0");
    }

    [Fact]
    public void Validate_BytesVolumeOverflowsLong_Throws()
    {
        var signature = Signature(0, [Tensor("TEXT", DataType.Bytes, -1, -1)], [Tensor("OUTPUT0", DataType.Bytes, -1)]);
        var request = Request(new InputTensor("TEXT", DataType.Bytes, [1L << 32, 1L << 32], Array.Empty<byte>()));

        AssertInvalid(request, signature, "TEXT");
    }

    [Fact]
    public void Validate_UnknownRequestedOutput_Throws()
    {
        var request = new InferenceRequest
        {
            ModelName = Model,
            Inputs = [Input0(1), Text(1)],
            RequestedOutputs = ["OUTPUT0", "NOPE"],
        };

        AssertInvalid(request, Batching, "NOPE");
    }

    [Fact]
    public void Validate_DuplicateRequestedOutput_Throws()
    {
        var request = new InferenceRequest
        {
            ModelName = Model,
            Inputs = [Input0(1), Text(1)],
            RequestedOutputs = ["OUTPUT1", "OUTPUT0", "OUTPUT1"],
        };

        AssertInvalid(request, Batching, "OUTPUT1");
    }
}
