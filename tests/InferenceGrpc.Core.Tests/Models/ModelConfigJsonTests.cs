using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Tests.Models;

public sealed class ModelConfigJsonTests
{
    private const string Model = "resnet";

    private const string FullConfig = """
        {
          // Comments and trailing commas are accepted, as in hand-written configs.
          "name": "resnet",
          "platform": "onnxruntime_onnx",
          "backend": "onnxruntime",
          "max_batch_size": 16,
          "input": [
            { "name": "images", "data_type": "TYPE_FP32", "dims": [3, -1, 224] },
            { "name": "labels", "data_type": "TYPE_STRING", "dims": [] },
          ],
          "output": [
            { "name": "scores", "data_type": "TYPE_FP16", "dims": [1000] }
          ],
          "version_policy": { "specific": { "versions": [1, 3] } },
          "instance_group": [
            { "name": "gpu0", "count": 2, "kind": "KIND_GPU", "gpus": [0, 1] },
            { "kind": "KIND_GPU" }
          ],
          "parameters": {
            "intra_op_thread_count": { "string_value": "4" },
            "cudnn_conv_algo_search": { "string_value": "HEURISTIC" }
          },
          "default_model_filename": "resnet50.onnx"
        }
        """;

    private static ModelConfigException Fails(string json) =>
        Assert.Throws<ModelConfigException>(() => ModelConfigJson.Parse(Model, json));

    private static string Describe(IReadOnlyList<TensorSpec>? specs) =>
        string.Join(" ", specs!.Select(t => $"{t.Name}:{t.DataType}:{TensorShape.Format([.. t.Dims])}"));

    [Fact]
    public void Parse_FullConfig_ReadsNameAndMaxBatchSize()
    {
        var config = ModelConfigJson.Parse(Model, FullConfig);

        Assert.Equal(Model, config.Name);
        Assert.Equal(ModelConfig.OnnxPlatform, config.Platform);
        Assert.Equal(16, config.MaxBatchSize);
    }

    [Fact]
    public void Parse_FullConfig_ReadsInputsAndOutputs()
    {
        var config = ModelConfigJson.Parse(Model, FullConfig);

        Assert.Equal("images:Fp32:[3,-1,224] labels:Bytes:[]", Describe(config.Inputs));
        Assert.Equal("scores:Fp16:[1000]", Describe(config.Outputs));
    }

    [Fact]
    public void Parse_FullConfig_ReadsSpecificVersionPolicy()
    {
        var config = ModelConfigJson.Parse(Model, FullConfig);

        Assert.Equal(VersionPolicyKind.Specific, config.VersionPolicy.Kind);
        Assert.Equal([1L, 3], config.VersionPolicy.Versions);
    }

    [Fact]
    public void Parse_FullConfig_ReadsInstanceGroups()
    {
        var config = ModelConfigJson.Parse(Model, FullConfig);

        Assert.Equal(2, config.InstanceGroups.Count);
        Assert.Equal((2, ExecutionKind.Gpu), (config.InstanceGroups[0].Count, config.InstanceGroups[0].Kind));
        Assert.Equal([0, 1], config.InstanceGroups[0].Gpus);
        Assert.Equal((1, ExecutionKind.Gpu), (config.InstanceGroups[1].Count, config.InstanceGroups[1].Kind));
        Assert.Empty(config.InstanceGroups[1].Gpus);
        Assert.Equal(ExecutionKind.Gpu, config.ExecutionKind);
    }

    [Fact]
    public void Parse_FullConfig_ReadsParametersAndModelFileName()
    {
        var config = ModelConfigJson.Parse(Model, FullConfig);

        Assert.Equal(
            new Dictionary<string, string> { ["intra_op_thread_count"] = "4", ["cudnn_conv_algo_search"] = "HEURISTIC" },
            config.Parameters);
        Assert.Equal("resnet50.onnx", config.ModelFileName);
    }

    [Fact]
    public void Parse_EmptyObject_LeavesEverythingToTheGraphAndDefaults()
    {
        var config = ModelConfigJson.Parse(Model, "{}");

        Assert.Equal(Model, config.Name);
        Assert.Null(config.MaxBatchSize);
        Assert.Null(config.Inputs);
        Assert.Null(config.Outputs);
        Assert.Equal(VersionPolicy.Default, config.VersionPolicy);
        Assert.Empty(config.InstanceGroups);   // the loader applies the server's default count
        Assert.Equal(ExecutionKind.Auto, config.ExecutionKind);
        Assert.Empty(config.Parameters);
        Assert.Equal(ModelConfig.DefaultModelFileName, config.ModelFileName);
    }

    [Fact]
    public void Parse_MaxBatchSizeZero_IsKeptAsZero()
    {
        Assert.Equal(0, ModelConfigJson.Parse(Model, """{ "max_batch_size": 0 }""").MaxBatchSize);
    }

    [Fact]
    public void Parse_LatestPolicy_ReadsNumVersions()
    {
        var config = ModelConfigJson.Parse(Model, """{ "version_policy": { "latest": { "num_versions": 3 } } }""");

        Assert.Equal(VersionPolicyKind.Latest, config.VersionPolicy.Kind);
        Assert.Equal(3, config.VersionPolicy.NumVersions);
    }

    [Fact]
    public void Parse_LatestPolicyWithoutNumVersions_ServesOne()
    {
        var config = ModelConfigJson.Parse(Model, """{ "version_policy": { "latest": {} } }""");

        Assert.Equal(VersionPolicyKind.Latest, config.VersionPolicy.Kind);
        Assert.Equal(1, config.VersionPolicy.NumVersions);
    }

    [Fact]
    public void Parse_AllPolicy_IsAll()
    {
        var config = ModelConfigJson.Parse(Model, """{ "version_policy": { "all": {} } }""");

        Assert.Equal(VersionPolicyKind.All, config.VersionPolicy.Kind);
    }

    [Theory]
    [InlineData("KIND_AUTO", ExecutionKind.Auto)]
    [InlineData("KIND_CPU", ExecutionKind.Cpu)]
    [InlineData("KIND_GPU", ExecutionKind.Gpu)]
    public void Parse_InstanceGroupKind_MapsToExecutionKind(string kind, ExecutionKind expected)
    {
        var config = ModelConfigJson.Parse(Model, $$"""{ "instance_group": [ { "kind": "{{kind}}" } ] }""");

        Assert.Equal(expected, Assert.Single(config.InstanceGroups).Kind);
        Assert.Equal(expected, config.ExecutionKind);
    }

    [Fact]
    public void Parse_InstanceGroupWithoutKind_IsAutoWithCountOne()
    {
        var config = ModelConfigJson.Parse(Model, """{ "instance_group": [ {} ] }""");

        Assert.Equal(InstanceGroup.Default.Kind, Assert.Single(config.InstanceGroups).Kind);
        Assert.Equal(1, config.InstanceGroups[0].Count);
    }

    [Theory]
    [InlineData("""{ "max_batch": 4 }""", "max_batch")]
    [InlineData("""{ "maxBatchSize": 4 }""", "maxBatchSize")]
    [InlineData("""{ "ensemble_scheduling": {} }""", "ensemble_scheduling")]
    [InlineData("""{ "input": [ { "name": "x", "data_type": "TYPE_FP32", "dims": [1], "format": "FORMAT_NCHW" } ] }""", "format")]
    [InlineData("""{ "version_policy": { "latest": { "num_versions": 1, "extra": 2 } } }""", "extra")]
    [InlineData("""{ "parameters": { "p": { "string_value": "1", "int_value": 2 } } }""", "int_value")]
    public void Parse_UnknownField_ThrowsNamingIt(string json, string field)
    {
        var ex = Fails(json);

        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
        Assert.Contains(Model, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TYPE_BYTES")]
    [InlineData("TYPE_FLOAT")]
    [InlineData("type_fp32")]
    [InlineData("FP32")]
    public void Parse_BadDataType_ThrowsNamingTheTensorAndType(string dataType)
    {
        var ex = Fails($$"""{ "input": [ { "name": "images", "data_type": "{{dataType}}", "dims": [3] } ] }""");

        Assert.Contains("'images'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{dataType}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingDataType_Throws()
    {
        var ex = Fails("""{ "output": [ { "name": "scores", "dims": [3] } ] }""");

        Assert.Contains("'scores'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TensorWithoutName_Throws()
    {
        Fails("""{ "input": [ { "data_type": "TYPE_FP32", "dims": [3] } ] }""");
    }

    [Fact]
    public void Parse_TensorWithoutDims_Throws()
    {
        var ex = Fails("""{ "input": [ { "name": "images", "data_type": "TYPE_FP32" } ] }""");

        Assert.Contains("'images'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DimBelowMinusOne_Throws()
    {
        var ex = Fails("""{ "input": [ { "name": "images", "data_type": "TYPE_FP32", "dims": [3, -2] } ] }""");

        Assert.Contains("'images'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NameDiffersFromFolder_ThrowsNamingBoth()
    {
        var ex = Fails("""{ "name": "other" }""");

        Assert.Contains("'other'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{Model}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NegativeMaxBatchSize_Throws()
    {
        var ex = Fails("""{ "max_batch_size": -1 }""");

        Assert.Contains("max_batch_size", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "latest": { "num_versions": 1 }, "all": {} }""")]
    [InlineData("""{ "all": {}, "specific": { "versions": [1] } }""")]
    [InlineData("""{ "latest": {}, "specific": { "versions": [1] } }""")]
    [InlineData("""{}""")]
    public void Parse_VersionPolicyNotExactlyOneChoice_Throws(string policy)
    {
        var ex = Fails($$"""{ "version_policy": {{policy}} }""");

        Assert.Contains("version_policy", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LatestNumVersionsZero_Throws()
    {
        var ex = Fails("""{ "version_policy": { "latest": { "num_versions": 0 } } }""");

        Assert.Contains("num_versions", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "versions": [] }""")]
    [InlineData("""{ "versions": [0] }""")]
    [InlineData("""{ "versions": [2, -1] }""")]
    [InlineData("""{}""")]
    public void Parse_SpecificWithoutPositiveVersions_Throws(string specific)
    {
        var ex = Fails($$"""{ "version_policy": { "specific": {{specific}} } }""");

        Assert.Contains("versions", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownInstanceGroupKind_Throws()
    {
        var ex = Fails("""{ "instance_group": [ { "kind": "KIND_MODEL" } ] }""");

        Assert.Contains("KIND_MODEL", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InstanceGroupsOfMixedKinds_Throws()
    {
        Fails("""{ "instance_group": [ { "kind": "KIND_CPU" }, { "kind": "KIND_GPU" } ] }""");
    }

    [Fact]
    public void Parse_InstanceGroupCountZero_Throws()
    {
        Fails("""{ "instance_group": [ { "count": 0 } ] }""");
    }

    [Fact]
    public void Parse_NegativeGpuId_Throws()
    {
        Fails("""{ "instance_group": [ { "kind": "KIND_GPU", "gpus": [-1] } ] }""");
    }

    [Fact]
    public void Parse_ParameterWithoutStringValue_ThrowsNamingIt()
    {
        var ex = Fails("""{ "parameters": { "intra_op_thread_count": {} } }""");

        Assert.Contains("intra_op_thread_count", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("../model.onnx")]
    [InlineData("sub/model.onnx")]
    [InlineData("sub\\\\model.onnx")]
    [InlineData("..")]
    public void Parse_DefaultModelFilenameNotAPlainName_Throws(string file)
    {
        var ex = Fails($$"""{ "default_model_filename": "{{file}}" }""");

        Assert.Contains("default_model_filename", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OtherPlatform_Throws()
    {
        var ex = Fails("""{ "platform": "tensorrt_plan" }""");

        Assert.Contains("tensorrt_plan", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OtherBackend_IsKeptForTheCatalogToCheck()
    {
        var config = ModelConfigJson.Parse(Model, """{ "backend": "python" }""");

        Assert.Equal("python", config.Backend);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" onnxruntime")]
    public void Parse_BlankBackend_Throws(string backend)
    {
        var ex = Fails($$"""{ "backend": "{{backend}}" }""");

        Assert.Contains("'backend'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("""{ "max_batch_size": "four" }""")]
    [InlineData("""{ "max_batch_size": 4 } trailing""")]
    [InlineData("[]")]
    public void Parse_InvalidJson_ThrowsModelConfigException(string json)
    {
        var ex = Fails(json);

        Assert.Contains(Model, ex.Message, StringComparison.Ordinal);
        Assert.Contains(ModelConfigJson.FileName, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralProblems_ListsEveryOne()
    {
        var ex = Fails("""
            {
              "name": "other",
              "max_batch_size": -3,
              "input": [ { "name": "images", "data_type": "TYPE_BYTES", "dims": [1] } ]
            }
            """);

        Assert.Contains("'other'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("max_batch_size", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'images'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Source_IsNamedInErrors()
    {
        var ex = Assert.Throws<ModelConfigException>(() => ModelConfigJson.Parse(Model, """{ "max_batch_size": -1 }""", "models/resnet/config.json"));

        Assert.Contains("models/resnet/config.json", ex.Message, StringComparison.Ordinal);
    }
}
