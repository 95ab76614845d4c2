using Google.Protobuf;
using Inference;
using Inference.TextFormat;

namespace InferenceGrpc.Contracts.Tests.TextFormat;

/// <summary>Whole <c>config.pbtxt</c> files as Triton's documentation and model zoos write them, parsed and compared with the message built by hand.</summary>
public sealed class TritonConfigExamplesTests
{
    public const string DenseNet = """
        # DenseNet-121 from the ONNX model zoo, as in Triton's quick start.
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

    public const string Bert = """
        name: "bert"
        backend: "onnxruntime"
        version_policy: { all { } }
        max_batch_size: 192
        dynamic_batching {
          preferred_batch_size: [ 1, 2, 4, 8, 16, 32, 64, 128, 192 ]
          max_queue_delay_microseconds: 30000
          default_queue_policy {
            timeout_action: REJECT
            default_timeout_microseconds: 5000000
            max_queue_size: 1024
          }
        }
        input [
          {
            name: "input_ids"
            data_type: TYPE_INT64
            dims: [ -1 ]
          },
          {
            name: "attention_mask"
            data_type: TYPE_INT64
            dims: [ -1 ]
          }
        ]
        output {
          name: "logits"
          data_type: TYPE_FP32
          dims: [ -1, 2 ]
        }
        instance_group [
          {
            count: 1
            kind: KIND_GPU
            gpus: [ 0, 1 ]
          }
        ]
        parameters: {
          key: "cudnn_conv_algo_search"
          value: {
            string_value: "1"
          }
        }
        parameters [
          { key: "intra_op_thread_count", value { string_value: "4" } },
          { key: "execution_mode" value < string_value: '0' > }
        ]
        """;

    [Fact]
    public void DenseNetStyleConfigParsesToTheMessageBuiltByHand()
    {
        var expected = new ModelConfig
        {
            Name = "densenet_onnx",
            Platform = "onnxruntime_onnx",
            MaxBatchSize = 8,
            Input =
            {
                new ModelInput
                {
                    Name = "data_0",
                    DataType = DataType.TypeFp32,
                    Format = ModelInput.Types.Format.Nchw,
                    Dims = { 3, 224, 224 },
                    Reshape = new ModelTensorReshape { Shape = { 1, 3, 224, 224 } },
                },
            },
            Output =
            {
                new ModelOutput
                {
                    Name = "fc6_1",
                    DataType = DataType.TypeFp32,
                    Dims = { 1000 },
                    Reshape = new ModelTensorReshape { Shape = { 1, 1000, 1, 1 } },
                    LabelFilename = "densenet_labels.txt",
                },
            },
            InstanceGroup = { new ModelInstanceGroup { Count = 2, Kind = ModelInstanceGroup.Types.Kind.Cpu } },
            DynamicBatching = new ModelDynamicBatching { PreferredBatchSize = { 4, 8 }, MaxQueueDelayMicroseconds = 100 },
            VersionPolicy = new ModelVersionPolicy { Latest = new ModelVersionPolicy.Types.Latest { NumVersions = 2 } },
            Parameters = { ["intra_op_thread_count"] = new ModelParameter { StringValue = "2" } },
        };

        var parsed = ProtoTextParser.Parse<ModelConfig>(DenseNet);

        Assert.Equal(expected.ToString(), parsed.ToString());
        Assert.Equal(expected, parsed);
    }

    [Fact]
    public void BertStyleConfigParsesToTheMessageBuiltByHand()
    {
        var expected = new ModelConfig
        {
            Name = "bert",
            Backend = "onnxruntime",
            VersionPolicy = new ModelVersionPolicy { All = new ModelVersionPolicy.Types.All() },
            MaxBatchSize = 192,
            DynamicBatching = new ModelDynamicBatching
            {
                PreferredBatchSize = { 1, 2, 4, 8, 16, 32, 64, 128, 192 },
                MaxQueueDelayMicroseconds = 30000,
                DefaultQueuePolicy = new ModelQueuePolicy
                {
                    TimeoutAction = ModelQueuePolicy.Types.TimeoutAction.Reject,
                    DefaultTimeoutMicroseconds = 5000000,
                    MaxQueueSize = 1024,
                },
            },
            Input =
            {
                new ModelInput { Name = "input_ids", DataType = DataType.TypeInt64, Dims = { -1 } },
                new ModelInput { Name = "attention_mask", DataType = DataType.TypeInt64, Dims = { -1 } },
            },
            Output = { new ModelOutput { Name = "logits", DataType = DataType.TypeFp32, Dims = { -1, 2 } } },
            InstanceGroup = { new ModelInstanceGroup { Count = 1, Kind = ModelInstanceGroup.Types.Kind.Gpu, Gpus = { 0, 1 } } },
            Parameters =
            {
                ["cudnn_conv_algo_search"] = new ModelParameter { StringValue = "1" },
                ["intra_op_thread_count"] = new ModelParameter { StringValue = "4" },
                ["execution_mode"] = new ModelParameter { StringValue = "0" },
            },
        };

        var parsed = ProtoTextParser.Parse<ModelConfig>(Bert);

        Assert.Equal(expected.ToString(), parsed.ToString());
        Assert.Equal(expected, parsed);
    }

    [Fact]
    public void OneLineConfigWithSeparatorsParses()
    {
        var parsed = ProtoTextParser.Parse<ModelConfig>(
            "name: 'm'; platform: \"onnxruntime_onnx\"; max_batch_size: 4, input: [{name: 'x', data_type: TYPE_FP32, dims: [2]}];");

        var expected = new ModelConfig
        {
            Name = "m",
            Platform = "onnxruntime_onnx",
            MaxBatchSize = 4,
            Input = { new ModelInput { Name = "x", DataType = DataType.TypeFp32, Dims = { 2 } } },
        };
        Assert.Equal(expected, parsed);
    }

    [Fact]
    public void TextFormatAndBinaryRoundTripAgree()
    {
        var parsed = ProtoTextParser.Parse<ModelConfig>(Bert);

        var reparsed = ModelConfig.Parser.ParseFrom(parsed.ToByteArray());

        Assert.Equal(parsed, reparsed);
    }
}
