using System.Text.Json.Nodes;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.Server.Models;

namespace InferenceGrpc.Server.Hosting.Tests.Models;

/// <summary>Triton <c>config.pbtxt</c> files through <see cref="PbtxtModelConfig"/> and Core's <see cref="ModelConfigJson"/>.</summary>
public sealed class PbtxtModelConfigTests
{
    /// <summary>A Triton config that uses only what the server supports; every supported field is set.</summary>
    private const string TextRecognition = """
        # PP-OCR text recognition as a Triton user would deploy it.
        name: "text_rec"
        platform: "onnxruntime_onnx"
        backend: "onnxruntime"
        max_batch_size: 32
        input [
          {
            name: "x"
            data_type: TYPE_FP32
            dims: [ 3, 48, -1 ]
          }
        ]
        output [
          {
            name: "softmax_0.tmp_0"
            data_type: TYPE_FP32
            dims: [ -1, 6625 ]
          }
        ]
        instance_group [
          {
            name: "rec_gpu"
            count: 2
            kind: KIND_GPU
            gpus: [ 0, 1 ]
          }
        ]
        dynamic_batching {
          preferred_batch_size: [ 8, 16 ]
          max_queue_delay_microseconds: 500
          priority_levels: 2
          default_priority_level: 1
          default_queue_policy {
            timeout_action: REJECT
            default_timeout_microseconds: 100000
            max_queue_size: 64
          }
        }
        version_policy: { specific { versions: [ 1, 3 ] } }
        parameters { key: "intra_op_thread_count" value: { string_value: "2" } }
        parameters [ { key: "inter_op_thread_count", value { string_value: "1" } } ]
        default_model_filename: "rec.onnx"
        """;

    private const string DenseNet = """
        name: "densenet_onnx"
        platform: "onnxruntime_onnx"
        max_batch_size: 8
        input [
          {
            name: "data_0"
            data_type: TYPE_FP32
            format: FORMAT_NCHW
            dims: [ 3, 224, 224 ]
            reshape { shape: [ 1, 3, 224, 224 ] }
          }
        ]
        output [
          {
            name: "fc6_1"
            data_type: TYPE_FP32
            dims: [ 1000 ]
            reshape { shape: [ 1, 1000, 1, 1 ] }
            label_filename: "densenet_labels.txt"
          }
        ]
        instance_group [ { count: 2 kind: KIND_CPU } ]
        dynamic_batching { preferred_batch_size: [ 4, 8 ] max_queue_delay_microseconds: 100 }
        version_policy: { latest { num_versions: 2 } }
        parameters { key: "intra_op_thread_count" value: { string_value: "2" } }
        """;

    private static ModelConfig Parse(string model, string pbtxt) => ModelConfigJson.Parse(model, PbtxtModelConfig.ToJson(pbtxt), PbtxtModelConfig.FileName);

    private static string Fails(string model, string pbtxt) =>
        Assert.Throws<ModelConfigException>(() => PbtxtModelConfig.Parse(model, pbtxt)).Message;

    private static JsonObject Json(string pbtxt) => JsonNode.Parse(PbtxtModelConfig.ToJson(pbtxt))!.AsObject();

    [Fact]
    public void TritonConfigBecomesTheCoreConfig()
    {
        var config = Parse("text_rec", TextRecognition);

        Assert.Equal("text_rec", config.Name);
        Assert.Equal(32, config.MaxBatchSize);
        var input = Assert.Single(config.Inputs!);
        Assert.Equal(("x", DataType.Fp32), (input.Name, input.DataType));
        Assert.Equal([3L, 48L, -1L], input.Dims);
        var output = Assert.Single(config.Outputs!);
        Assert.Equal(("softmax_0.tmp_0", DataType.Fp32), (output.Name, output.DataType));
        Assert.Equal([-1L, 6625L], output.Dims);
        var group = Assert.Single(config.InstanceGroups);
        Assert.Equal((2, ExecutionKind.Gpu), (group.Count, group.Kind));
        Assert.Equal([0, 1], group.Gpus);
        var batching = config.DynamicBatching!;
        Assert.Equal([8, 16], batching.PreferredBatchSizes);
        Assert.Equal(500, batching.MaxQueueDelayMicroseconds);
        Assert.Equal((2, 1), (batching.PriorityLevels, batching.DefaultPriorityLevel));
        Assert.Equal(64, batching.MaxQueueSize);
        Assert.Equal(100000, batching.DefaultTimeoutMicroseconds);
        Assert.Equal(VersionPolicyKind.Specific, config.VersionPolicy.Kind);
        Assert.Equal([1L, 3L], config.VersionPolicy.Versions);
        Assert.Equal(
            new Dictionary<string, string> { ["intra_op_thread_count"] = "2", ["inter_op_thread_count"] = "1" },
            config.Parameters);
        Assert.Equal("rec.onnx", config.ModelFileName);
    }

    [Fact]
    public void ParseGivesTheSameConfigAsToJsonThenModelConfigJson()
    {
        var viaParse = PbtxtModelConfig.Parse("text_rec", TextRecognition);
        var viaJson = Parse("text_rec", TextRecognition);

        Assert.Equal(viaJson.MaxBatchSize, viaParse.MaxBatchSize);
        Assert.Equal(viaJson.VersionPolicy.Versions, viaParse.VersionPolicy.Versions);
        Assert.Equal(viaJson.Parameters, viaParse.Parameters);
    }

    [Fact]
    public void JsonUsesProtoFieldNamesEnumNamesAndNumbersFor64BitIntegers()
    {
        var json = PbtxtModelConfig.ToJson("""
            max_batch_size: 4
            input { name: "x" data_type: TYPE_INT64 dims: [ -1, 3 ] }
            output { name: "y" data_type: TYPE_STRING dims: 1 }
            dynamic_batching { max_queue_delay_microseconds: 18446744073709551615 }
            version_policy { specific { versions: 9223372036854775807 } }
            """);

        const string expected = """
            {
              "max_batch_size": 4,
              "input": [{ "name": "x", "data_type": "TYPE_INT64", "dims": [-1, 3] }],
              "output": [{ "name": "y", "data_type": "TYPE_STRING", "dims": [1] }],
              "dynamic_batching": { "max_queue_delay_microseconds": 18446744073709551615 },
              "version_policy": { "specific": { "versions": [9223372036854775807] } }
            }
            """;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(json)), json);
    }

    [Fact]
    public void BothInputsAndOutputsListedAndNoMaxBatchSizeIsZero()
    {
        // Triton skips auto-complete when inputs and outputs are listed, so an absent max_batch_size stays 0.
        const string text = "input { name: 'x' data_type: TYPE_FP32 dims: [2] } output { name: 'y' data_type: TYPE_FP32 dims: [2] }";

        Assert.Equal(0, (int)Json(text)["max_batch_size"]!);
        Assert.Equal(0, Parse("m", text).MaxBatchSize);
    }

    [Fact]
    public void ExplicitZeroWithInputsAndOutputsIsZero()
    {
        const string text = "max_batch_size: 0 input { name: 'x' data_type: TYPE_FP32 dims: [2] } output { name: 'y' data_type: TYPE_FP32 dims: [2] }";

        Assert.Equal(0, Parse("m", text).MaxBatchSize);
    }

    [Theory]
    [InlineData("")]
    [InlineData("max_batch_size: 0")]
    [InlineData("platform: 'onnxruntime_onnx' max_batch_size: 0")]
    [InlineData("max_batch_size: 0 input { name: 'x' data_type: TYPE_FP32 dims: [2] }")]
    [InlineData("max_batch_size: 0 output { name: 'y' data_type: TYPE_FP32 dims: [2] }")]
    public void ZeroWithoutBothInputsAndOutputsIsCompletedFromTheGraph(string text)
    {
        // Triton's onnxruntime backend auto-completes such a config: 0 becomes default-max-batch-size when the graph batches.
        Assert.False(Json(text).ContainsKey("max_batch_size"));
        Assert.Null(Parse("m", text).MaxBatchSize);
    }

    [Fact]
    public void BatchInputsCountAsInputsForTheMaxBatchSizeRule()
    {
        const string text = "batch_input { kind: BATCH_ELEMENT_COUNT target_name: 'n' data_type: TYPE_INT32 } output { name: 'y' data_type: TYPE_FP32 dims: [2] }";

        Assert.Equal(0, (int)Json(text)["max_batch_size"]!);
    }

    [Fact]
    public void NonZeroMaxBatchSizeIsKept() =>
        Assert.Equal(16, Parse("m", "max_batch_size: 16").MaxBatchSize);

    [Fact]
    public void MinimalConfigTakesCoreDefaults()
    {
        var config = Parse("m", "name: \"m\"\nplatform: \"onnxruntime_onnx\"\n");

        Assert.Null(config.MaxBatchSize);
        Assert.Null(config.Inputs);
        Assert.Null(config.Outputs);
        Assert.Null(config.DynamicBatching);
        Assert.Equal(VersionPolicy.Default, config.VersionPolicy);
        Assert.Empty(config.InstanceGroups);
        Assert.Equal(ModelConfig.DefaultModelFileName, config.ModelFileName);
        Assert.Empty(config.Parameters);
    }

    [Fact]
    public void EmptyDynamicBatchingBlockIsPresent()
    {
        var batching = Parse("m", "dynamic_batching { }").DynamicBatching;

        Assert.NotNull(batching);
        Assert.Empty(batching.PreferredBatchSizes);
        Assert.Equal(0, batching.MaxQueueDelayMicroseconds);
    }

    [Theory]
    [InlineData("version_policy: { all { } }", VersionPolicyKind.All, 0)]
    [InlineData("version_policy { latest { num_versions: 3 } }", VersionPolicyKind.Latest, 3)]
    [InlineData("version_policy { latest: { num_versions: 1 } }", VersionPolicyKind.Latest, 1)]
    public void VersionPolicies(string text, VersionPolicyKind kind, int numVersions)
    {
        var policy = Parse("m", text).VersionPolicy;

        Assert.Equal((kind, numVersions), (policy.Kind, policy.NumVersions));
    }

    [Fact]
    public void LatestWithoutNumVersionsServesNothingAndIsRejected()
    {
        // Triton: latest { } selects no version ("at least one version must be available"); Core's own default would be 1.
        Assert.Contains("'version_policy.latest.num_versions' must be 1 or more, got 0", Fails("m", "version_policy { latest { } }"));
    }

    [Theory]
    [InlineData("instance_group [ { kind: KIND_CPU } ]", 1, ExecutionKind.Cpu)]
    [InlineData("instance_group [ { count: 0 kind: KIND_CPU } ]", 1, ExecutionKind.Cpu)]
    [InlineData("instance_group [ { count: 3 } ]", 3, ExecutionKind.Auto)]
    [InlineData("instance_group { count: 2 kind: KIND_AUTO }", 2, ExecutionKind.Auto)]
    public void InstanceGroupDefaultsMatchTriton(string text, int count, ExecutionKind kind)
    {
        // Triton normalizes a count below 1 to 1, and an absent kind is KIND_AUTO.
        var group = Assert.Single(Parse("m", text).InstanceGroups);

        Assert.Equal((count, kind), (group.Count, group.Kind));
    }

    [Fact]
    public void SeveralInstanceGroupsAddUp()
    {
        var config = Parse("m", "instance_group [ { count: 1 kind: KIND_GPU gpus: [0] }, { count: 2 kind: KIND_GPU gpus: [1] } ]");

        Assert.Equal(3, config.InstanceCount);
        Assert.Equal(ExecutionKind.Gpu, config.ExecutionKind);
    }

    [Fact]
    public void EmptyParameterValueIsAnEmptyString()
    {
        var parameters = Parse("m", "parameters { key: 'a' value { string_value: '' } } parameters { key: 'b' value { } } parameters { key: 'c' }").Parameters;

        Assert.Equal(new Dictionary<string, string> { ["a"] = "", ["b"] = "", ["c"] = "" }, parameters);
    }

    [Fact]
    public void ScalarsAndNegativeDimsSurvive()
    {
        var inputs = Parse("m", "max_batch_size: 2 input { name: 'ids' data_type: TYPE_INT64 dims: [ -1 ] } input { name: 'text' data_type: TYPE_STRING dims: [ 1 ] }").Inputs!;

        Assert.Equal([-1L], inputs[0].Dims);
        Assert.Equal(DataType.Bytes, inputs[1].DataType);
        Assert.Equal([1L], inputs[1].Dims);
    }

    [Fact]
    public void InputWithoutDimsIsRejectedAsTritonDoes() =>
        Assert.Contains("input[0] 'x' needs 'dims'", Fails("m", "input { name: 'x' data_type: TYPE_FP32 }"));

    [Fact]
    public void InputWithoutDataTypeIsRejected() =>
        Assert.Contains("input[0] 'x' has data_type ''", Fails("m", "input { name: 'x' dims: [1] }"));

    [Fact]
    public void DenseNetStyleConfigIsRejectedNamingTheFirstUnsupportedField()
    {
        var message = Fails("densenet_onnx", DenseNet);

        Assert.StartsWith("model 'densenet_onnx': config.pbtxt is not a valid model config at $.input[0].format:", message);
        Assert.Contains("'format'", message);
    }

    [Fact]
    public void DenseNetStyleConfigParsesUpToTheUnsupportedFields()
    {
        // Without format, reshape and label_filename the same config is served as written.
        var supported = string.Join('\n', DenseNet.Split('\n').Where(l => !l.Contains("format:") && !l.Contains("reshape") && !l.Contains("label_filename")));

        var config = Parse("densenet_onnx", supported);

        Assert.Equal(8, config.MaxBatchSize);
        Assert.Equal([3L, 224L, 224L], config.Inputs![0].Dims);
        Assert.Equal([1000L], config.Outputs![0].Dims);
        Assert.Equal((2, ExecutionKind.Cpu), (config.InstanceGroups[0].Count, config.InstanceGroups[0].Kind));
        Assert.Equal([4, 8], config.DynamicBatching!.PreferredBatchSizes);
        Assert.Equal(100, config.DynamicBatching.MaxQueueDelayMicroseconds);
        Assert.Equal((VersionPolicyKind.Latest, 2), (config.VersionPolicy.Kind, config.VersionPolicy.NumVersions));
        Assert.Equal("2", config.Parameters["intra_op_thread_count"]);
    }

    [Theory]
    [InlineData("optimization { execution_accelerators { gpu_execution_accelerator : [ { name : \"tensorrt\" } ] } }", "optimization")]
    [InlineData("model_warmup [ { name: 'w' batch_size: 1 inputs { key: 'x' value { data_type: TYPE_FP32 dims: [1] zero_data: true } } } ]", "model_warmup")]
    [InlineData("sequence_batching { max_sequence_idle_microseconds: 5000000 }", "sequence_batching")]
    [InlineData("response_cache { enable: true }", "response_cache")]
    [InlineData("input { name: 'x' data_type: TYPE_FP32 dims: [1] optional: true }", "optional")]
    [InlineData("instance_group { kind: KIND_CPU passive: true }", "passive")]
    public void UnsupportedFieldsAreRejectedByName(string text, string field)
    {
        var message = Fails("m", text);

        Assert.Contains($"'{field}'", message);
    }

    [Fact]
    public void UnsupportedValuesAreReportedByCore()
    {
        Assert.Contains("'platform' is 'tensorrt_plan'", Fails("m", "platform: 'tensorrt_plan'"));
        Assert.Contains("'name' is 'other' but the model folder is 'm'", Fails("m", "name: 'other'"));
        Assert.Contains("timeout_action' 'DELAY' is not supported", Fails("m", "dynamic_batching { default_queue_policy { timeout_action: DELAY } }"));
        Assert.Contains("priority_queue_policy' is not supported", Fails("m", "dynamic_batching { priority_queue_policy { key: 1 value { max_queue_size: 2 } } }"));
        Assert.Contains("'max_batch_size' must be 0 or more, got -1", Fails("m", "max_batch_size: -1"));
    }

    [Fact]
    public void TextFormatErrorsKeepTheirPosition()
    {
        Assert.Equal(
            "model 'm': config.pbtxt: line 3:1: unknown field 'max_batch' in inference.ModelConfig",
            Fails("m", "name: \"m\"\n\nmax_batch: 8"));
        Assert.Equal(
            "model 'm': config.pbtxt: line 2:27: input[0].dims: expected an integer, got 'abc'",
            Fails("m", "name: \"m\"\ninput { name: 'x' dims: [ abc ] }"));
    }

    [Fact]
    public void ToJsonThrowsFormatExceptionForBadText()
    {
        var ex = Assert.Throws<FormatException>(() => PbtxtModelConfig.ToJson("name: 'a' name: 'b'"));

        Assert.Equal("line 1:11: non-repeated field 'name' is specified more than once", ex.Message);
    }

    [Fact]
    public void TwoSchedulersAreRejectedAsTritonDoes() =>
        Assert.Contains(
            "field 'sequence_batching' is specified along with 'dynamic_batching', another member of oneof 'scheduling_choice'",
            Fails("m", "dynamic_batching { } sequence_batching { }"));
}
