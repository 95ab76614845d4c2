using Google.Protobuf;
using Inference;
using InferenceGrpc.EchoServer;

namespace InferenceGrpc.LoadGen.Tests.EchoServer;

public sealed class EchoTests
{
    [Fact]
    public void Echo_RawInputs_ComeBackAsOutputsOfTheSameNameTypeShapeAndBytes()
    {
        var request = new ModelInferRequest { ModelName = "minilm", ModelVersion = "1", Id = "r7" };
        foreach (var name in new[] { "input_ids", "attention_mask" })
        {
            var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "INT64" };
            input.Shape.Add([1, 4]);
            request.Inputs.Add(input);
            request.RawInputContents.Add(ByteString.CopyFrom(new byte[32]));
        }

        var response = EchoInferenceService.Echo(request);

        Assert.Equal(("minilm", "1", "r7"), (response.ModelName, response.ModelVersion, response.Id));
        Assert.Equal(["input_ids", "attention_mask"], response.Outputs.Select(o => o.Name));
        Assert.All(response.Outputs, o => Assert.Equal("INT64", o.Datatype));
        Assert.All(response.Outputs, o => Assert.Equal([1, 4], o.Shape));
        Assert.Equal(request.RawInputContents, response.RawOutputContents);
    }

    [Fact]
    public void Echo_TypedContents_ComeBackTyped()
    {
        var request = new ModelInferRequest { ModelName = "m" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32", Contents = new InferTensorContents() };
        input.Shape.Add(2);
        input.Contents.Fp32Contents.Add([1f, 2f]);
        request.Inputs.Add(input);

        var response = EchoInferenceService.Echo(request);

        Assert.Empty(response.RawOutputContents);
        Assert.Equal([1f, 2f], response.Outputs[0].Contents.Fp32Contents);
    }

    [Fact]
    public void ReadConfig_BatchingModel_PrependsTheBatchDimension()
    {
        var directory = Directory.CreateTempSubdirectory("echo-config").FullName;
        try
        {
            var path = Path.Combine(directory, "config.json");
            File.WriteAllText(path, """
                { "max_batch_size": 32,
                  "input": [ { "name": "x", "data_type": "TYPE_FP32", "dims": [3, 48, 192] },
                             { "name": "t", "data_type": "TYPE_STRING", "dims": [-1] } ],
                  "output": [ { "name": "y", "data_type": "TYPE_FP32", "dims": [2] } ] }
                """);

            var inputs = ModelCatalog.ReadConfig(path);

            Assert.Equal(("x", "FP32"), (inputs[0].Name, inputs[0].Datatype));
            Assert.Equal([-1, 3, 48, 192], inputs[0].Shape);
            Assert.Equal(("t", "BYTES"), (inputs[1].Name, inputs[1].Datatype));
            Assert.Equal([-1, -1], inputs[1].Shape);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Catalog_Add_OutputsMirrorInputs()
    {
        var catalog = new ModelCatalog();

        catalog.Add("m", [("x", "FP32", [-1, 4])]);

        Assert.True(catalog.TryGet("m", out var metadata));
        Assert.Equal("x", Assert.Single(metadata.Outputs).Name);
        Assert.Equal([-1, 4], metadata.Inputs[0].Shape);
        Assert.False(catalog.TryGet("other", out _));
    }
}
