using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.OnnxRuntime.Tests.Infrastructure;
using InferenceGrpc.TestModels;

namespace InferenceGrpc.OnnxRuntime.Tests.Metadata;

public sealed class OnnxGraphReaderTests : IDisposable
{
    private readonly ModelDirectory _models = new();
    private readonly OnnxModelBackend _backend = Backends.Cpu();

    public static TheoryData<TensorElementKind> AllKinds() => new(TestModelFactory.AllElementKinds);

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Read_IdentityOfEveryKind_MapsDataTypeAndSymbolicDims(TensorElementKind kind)
    {
        using var runner = _backend.Load(_models.Write(TestModelFactory.Identity(kind, [null, 3, null])), Backends.Config());

        var input = Assert.Single(runner.Graph.Inputs);
        var output = Assert.Single(runner.Graph.Outputs);
        Assert.Equal(("INPUT0", "OUTPUT0"), (input.Name, output.Name));
        Assert.Equal(TensorData.ToDataType(kind), input.DataType);
        Assert.Equal(TensorData.ToDataType(kind), output.DataType);
        Assert.Equal([-1L, 3L, -1L], input.Dims);
        Assert.Equal([-1L, 3L, -1L], output.Dims);
    }

    [Fact]
    public void Read_AddSub_KeepsGraphOrder()
    {
        using var runner = _backend.Load(_models.Write(TestModelFactory.AddSub(TensorElementKind.Int32, [null, 4])), Backends.Config());

        Assert.Equal(["INPUT0", "INPUT1"], runner.Graph.Inputs.Select(i => i.Name));
        Assert.Equal(["OUTPUT0", "OUTPUT1"], runner.Graph.Outputs.Select(o => o.Name));
        Assert.All(runner.Graph.Inputs.Concat(runner.Graph.Outputs), s =>
        {
            Assert.Equal(DataType.Int32, s.DataType);
            Assert.Equal([-1L, 4L], s.Dims);
        });
    }

    [Fact]
    public void Read_FixedShapeScale_KeepsFixedDims()
    {
        using var runner = _backend.Load(_models.Write(TestModelFactory.Scale(2f, [2, 4])), Backends.Config());

        Assert.Equal([2L, 4L], Assert.Single(runner.Graph.Inputs).Dims);
        Assert.Equal([2L, 4L], Assert.Single(runner.Graph.Outputs).Dims);
    }

    [Fact]
    public void Read_TextDirectionModel_ReportsDynamicBatchAndImageDims()
    {
        // The PaddleOCR export declares height and width dynamic too; its config.json pins them to 48 x 192.
        using var runner = _backend.Load(ModelDirectory.TextDirection, Backends.Config());

        var input = Assert.Single(runner.Graph.Inputs);
        Assert.Equal("x", input.Name);
        Assert.Equal(DataType.Fp32, input.DataType);
        Assert.Equal([-1L, 3L, -1L, -1L], input.Dims);
        var output = Assert.Single(runner.Graph.Outputs);
        Assert.Equal("softmax_0.tmp_0", output.Name);
        Assert.Equal(DataType.Fp32, output.DataType);
        Assert.Equal([-1L, 2L], output.Dims);
    }

    [Fact]
    public void Read_SequenceInput_FailsNamingTheInput()
    {
        var ex = Assert.Throws<ModelConfigException>(() => _backend.Load(_models.Write(UnusualModels.SequenceInput()), Backends.Config()));

        Assert.Contains("input 'SEQUENCE'", ex.Message);
        Assert.Contains("sequence", ex.Message);
    }

    [Fact]
    public void Load_Float8Tensor_FailsBeforeTheGraphIsRead()
    {
        // ORT 1.31's managed InferenceSession reads metadata in its constructor and throws for element types its
        // TensorElementType enum lacks (float8, int4); complex types fail in the native loader. Either way the load
        // fails with ORT's reason, so the reader's own "unsupported element type" check is a backstop.
        var ex = Assert.Throws<ModelConfigException>(() => _backend.Load(_models.Write(UnusualModels.Float8Identity()), Backends.Config()));

        Assert.Contains("Unregistered TensorElementType", ex.Message);
    }

    public void Dispose() => _models.Dispose();
}
