using Google.Protobuf;
using Inference;
using Inference.TextFormat;

namespace InferenceGrpc.Contracts.Tests.TextFormat;

/// <summary>Each form of protobuf text format, one at a time.</summary>
public sealed class ProtoTextParserSyntaxTests
{
    private static ModelConfig Config(string text) => ProtoTextParser.Parse<ModelConfig>(text);

    private static InferTensorContents Contents(string text) => ProtoTextParser.Parse<InferTensorContents>(text);

    private static InferParameter Parameter(string text) => ProtoTextParser.Parse<InferParameter>(text);

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t\r\n")]
    [InlineData("# only a comment")]
    [InlineData("# one\n# two\n")]
    public void EmptyTextIsTheDefaultMessage(string text) => Assert.Equal(new ModelConfig(), Config(text));

    [Fact]
    public void CommentsRunToTheEndOfTheLine()
    {
        var config = Config("""
            # leading
            name: "a" # trailing
            # between
            max_batch_size: 2#no space
            """);

        Assert.Equal(new ModelConfig { Name = "a", MaxBatchSize = 2 }, config);
    }

    [Fact]
    public void HashInsideAStringIsNotAComment() => Assert.Equal("a#b", Config("name: \"a#b\"").Name);

    [Theory]
    [InlineData("version_policy { latest { num_versions: 3 } }")]
    [InlineData("version_policy: { latest: { num_versions: 3 } }")]
    [InlineData("version_policy < latest < num_versions: 3 > >")]
    [InlineData("version_policy: < latest { num_versions: 3 } >")]
    [InlineData("version_policy{latest{num_versions:3}}")]
    public void MessageFieldsTakeBracesOrAngleBracketsWithOrWithoutAColon(string text)
    {
        var expected = new ModelVersionPolicy { Latest = new ModelVersionPolicy.Types.Latest { NumVersions = 3 } };

        Assert.Equal(expected, Config(text).VersionPolicy);
    }

    [Fact]
    public void EmptyMessageIsSet()
    {
        var config = Config("version_policy { all {} } dynamic_batching { }");

        Assert.Equal(ModelVersionPolicy.PolicyChoiceOneofCase.All, config.VersionPolicy.PolicyChoiceCase);
        Assert.NotNull(config.DynamicBatching);
    }

    [Theory]
    [InlineData("dims: 3 dims: 224 dims: 224")]
    [InlineData("dims: [3, 224, 224]")]
    [InlineData("dims: [3] dims: [224, 224]")]
    [InlineData("dims: 3, dims: [224]; dims: 224")]
    [InlineData("dims: [ 3 ,224 , 224 ]")]
    [InlineData("dims: [ 0x3, 0xE0, 0340 ]")]
    public void RepeatedScalarsAreGivenRepeatedlyOrAsLists(string dims)
    {
        var input = Config($"input {{ {dims} }}").Input.Single();

        Assert.Equal([3L, 224L, 224L], input.Dims);
    }

    [Fact]
    public void EmptyListAddsNothing()
    {
        var config = Config("input [] output: [] input { dims: [] }");

        Assert.Single(config.Input);
        Assert.Empty(config.Input[0].Dims);
        Assert.Empty(config.Output);
    }

    [Theory]
    [InlineData("input { name: 'a' } input { name: 'b' }")]
    [InlineData("input: { name: 'a' } input: < name: 'b' >")]
    [InlineData("input [ { name: 'a' }, { name: 'b' } ]")]
    [InlineData("input: [ { name: 'a' }, < name: 'b' > ]")]
    [InlineData("input [ { name: 'a' } ] input [ { name: 'b' } ]")]
    public void RepeatedMessagesAreGivenRepeatedlyOrAsLists(string text)
    {
        Assert.Equal(["a", "b"], Config(text).Input.Select(i => i.Name));
    }

    [Theory]
    [InlineData("parameters { key: \"k1\" value { string_value: \"v1\" } } parameters { key: \"k2\" value: { string_value: \"v2\" } }")]
    [InlineData("parameters [ { key: \"k1\" value { string_value: \"v1\" } }, { key: \"k2\", value: { string_value: \"v2\" } } ]")]
    [InlineData("parameters: { value { string_value: \"v1\" } key: \"k1\" } parameters < key: 'k2' value < string_value: 'v2' > >")]
    public void MapsAreKeyValueEntriesGivenRepeatedlyOrAsAList(string text)
    {
        var parameters = Config(text).Parameters;

        Assert.Equal(2, parameters.Count);
        Assert.Equal("v1", parameters["k1"].StringValue);
        Assert.Equal("v2", parameters["k2"].StringValue);
    }

    [Fact]
    public void MapEntryWithoutKeyOrValueUsesTheDefaults()
    {
        var config = Config("parameters { key: 'empty' } metric_tags { value: 'no key' }");

        Assert.Equal(new ModelParameter(), config.Parameters["empty"]);
        Assert.Equal("no key", config.MetricTags[""]);
    }

    [Fact]
    public void RepeatedMapKeyKeepsTheLastValue()
    {
        var config = Config("metric_tags { key: 'a' value: '1' } metric_tags { key: 'a' value: '2' }");

        Assert.Equal("2", Assert.Single(config.MetricTags).Value);
    }

    [Fact]
    public void MapsWithScalarValuesAndIntegerKeys()
    {
        var config = Config("""
            cc_model_filenames { key: "7.5" value: "model_sm75.onnx" }
            dynamic_batching {
              priority_levels: 2
              priority_queue_policy { key: 1 value { max_queue_size: 8 } }
              priority_queue_policy { key: 0x2 value: { timeout_action: DELAY } }
            }
            """);

        Assert.Equal("model_sm75.onnx", config.CcModelFilenames["7.5"]);
        Assert.Equal(8u, config.DynamicBatching.PriorityQueuePolicy[1].MaxQueueSize);
        Assert.Equal(ModelQueuePolicy.Types.TimeoutAction.Delay, config.DynamicBatching.PriorityQueuePolicy[2].TimeoutAction);
    }

    [Theory]
    [InlineData("data_type: TYPE_FP32", DataType.TypeFp32)]
    [InlineData("data_type: 11", DataType.TypeFp32)]
    [InlineData("data_type: 0xB", DataType.TypeFp32)]
    [InlineData("data_type: TYPE_BF16", DataType.TypeBf16)]
    [InlineData("data_type: TYPE_STRING", DataType.TypeString)]
    [InlineData("data_type: 0", DataType.TypeInvalid)]
    public void EnumsAreGivenByNameOrNumber(string field, DataType expected)
    {
        Assert.Equal(expected, Config($"input {{ {field} }}").Input[0].DataType);
    }

    [Theory]
    [InlineData("KIND_GPU", ModelInstanceGroup.Types.Kind.Gpu)]
    [InlineData("KIND_CPU", ModelInstanceGroup.Types.Kind.Cpu)]
    [InlineData("KIND_AUTO", ModelInstanceGroup.Types.Kind.Auto)]
    [InlineData("KIND_MODEL", ModelInstanceGroup.Types.Kind.Model)]
    public void NestedEnumsAreGivenByTheirProtoNames(string name, ModelInstanceGroup.Types.Kind expected)
    {
        Assert.Equal(expected, Config($"instance_group [ {{ kind: {name} }} ]").InstanceGroup[0].Kind);
    }

    [Fact]
    public void RepeatedEnumsTakeNamesAndNumbersInOneList()
    {
        var config = Config("batch_input { kind: BATCH_ITEM_SHAPE } model_warmup { inputs { key: 'x' value { data_type: TYPE_INT8 dims: [1] zero_data: true } } }");

        Assert.Equal(BatchInput.Types.Kind.BatchItemShape, config.BatchInput[0].Kind);
        Assert.Equal(DataType.TypeInt8, config.ModelWarmup[0].Inputs["x"].DataType);
        Assert.True(config.ModelWarmup[0].Inputs["x"].ZeroData);
    }

    [Theory]
    [InlineData("\"plain\"", "plain")]
    [InlineData("'single'", "single")]
    [InlineData("\"it's\"", "it's")]
    [InlineData("'say \"hi\"'", "say \"hi\"")]
    [InlineData(@"'a\nb\tc\\d\""e\'f'", "a\nb\tc\\d\"e'f")]
    [InlineData(@"'\a\b\f\r\v\?'", "\a\b\f\r\v?")]
    [InlineData(@"'\x41\x4a\x4B\x7'", "AJK\x07")]
    [InlineData(@"'\101\60\0'", "A0\0")]
    [InlineData(@"'\1012'", "A2")]
    [InlineData(@"'\303\251'", "é")]
    [InlineData(@"'\xc3\xa9'", "é")]
    [InlineData(@"'\u00e9\U0001F600'", "é\U0001F600")]
    [InlineData(@"'\ud83d\ude00'", "\U0001F600")]
    [InlineData("'é ünïcödé'", "é ünïcödé")]
    [InlineData("''", "")]
    [InlineData("'con' \"cat\" 'enated'", "concatenated")]
    [InlineData("'multi'\n  # comment between\n  'line'", "multiline")]
    public void StringsTakeEitherQuoteCEscapesAndConcatenation(string literal, string expected)
    {
        Assert.Equal(expected, Config($"name: {literal}").Name);
    }

    [Theory]
    [InlineData("max_batch_size: 0", 0)]
    [InlineData("max_batch_size: 8", 8)]
    [InlineData("max_batch_size: -1", -1)]
    [InlineData("max_batch_size: - 1", -1)]
    [InlineData("max_batch_size: 0x7fffffff", int.MaxValue)]
    [InlineData("max_batch_size: -0x80000000", int.MinValue)]
    [InlineData("max_batch_size: 2147483647", int.MaxValue)]
    [InlineData("max_batch_size: -2147483648", int.MinValue)]
    [InlineData("max_batch_size: 010", 8)]
    public void Int32TakesDecimalHexOctalAndNegatives(string text, int expected) => Assert.Equal(expected, Config(text).MaxBatchSize);

    [Fact]
    public void IntegerTypesCoverTheirWholeRange()
    {
        var contents = Contents("""
            int_contents: [ -2147483648, 2147483647 ]
            int64_contents: [ -9223372036854775808, 9223372036854775807, 0x7FFFFFFFFFFFFFFF ]
            uint_contents: [ 0, 4294967295, 0xffffffff ]
            uint64_contents: [ 0, 18446744073709551615, 0xFFFFFFFFFFFFFFFF ]
            """);

        Assert.Equal([int.MinValue, int.MaxValue], contents.IntContents);
        Assert.Equal([long.MinValue, long.MaxValue, long.MaxValue], contents.Int64Contents);
        Assert.Equal([0u, uint.MaxValue, uint.MaxValue], contents.UintContents);
        Assert.Equal([0ul, ulong.MaxValue, ulong.MaxValue], contents.Uint64Contents);
    }

    [Fact]
    public void FloatsTakeDecimalsExponentsSuffixesInfinityAndNan()
    {
        var contents = Contents("""
            fp32_contents: [ 1, 1.5, -2.25, .5, 5., 1e-3, 1.5e+2, 2E2, 1.5f, 2F, 0x10, inf, -inf, Infinity, -INFINITY, nan, NaN ]
            fp64_contents: [ 0.1, -1e-300, 1.7976931348623157e308, 3, -0, inf, -inf, nan ]
            """);

        Assert.Equal(
            [1f, 1.5f, -2.25f, 0.5f, 5f, 1e-3f, 150f, 200f, 1.5f, 2f, 16f, float.PositiveInfinity, float.NegativeInfinity,
             float.PositiveInfinity, float.NegativeInfinity, float.NaN, float.NaN],
            contents.Fp32Contents);
        Assert.Equal([0.1, -1e-300, double.MaxValue, 3d, -0d, double.PositiveInfinity, double.NegativeInfinity, double.NaN], contents.Fp64Contents);
        Assert.True(double.IsNegative(contents.Fp64Contents[4]));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("t", true)]
    [InlineData("1", true)]
    [InlineData("false", false)]
    [InlineData("False", false)]
    [InlineData("f", false)]
    [InlineData("0", false)]
    public void BooleansTakeTheWordsLettersAndDigits(string literal, bool expected)
    {
        Assert.Equal(expected, Config($"input {{ is_shape_tensor: {literal} }}").Input[0].IsShapeTensor);
        Assert.Equal([expected], Contents($"bool_contents: [{literal}]").BoolContents);
    }

    [Fact]
    public void BytesKeepRawBytes()
    {
        var contents = Contents(@"bytes_contents: [ 'abc', '\x00\xff\377', 'é' ] bytes_contents: 'a' 'b'");

        Assert.Equal(
            [ByteString.CopyFromUtf8("abc"), ByteString.CopyFrom(0, 255, 255), ByteString.CopyFromUtf8("é"), ByteString.CopyFromUtf8("ab")],
            contents.BytesContents);
    }

    [Theory]
    [InlineData("bool_param: true", InferParameter.ParameterChoiceOneofCase.BoolParam)]
    [InlineData("int64_param: -5", InferParameter.ParameterChoiceOneofCase.Int64Param)]
    [InlineData("string_param: 'x'", InferParameter.ParameterChoiceOneofCase.StringParam)]
    [InlineData("double_param: 2.5", InferParameter.ParameterChoiceOneofCase.DoubleParam)]
    [InlineData("uint64_param: 7", InferParameter.ParameterChoiceOneofCase.Uint64Param)]
    public void OneofMemberSetsTheCase(string text, InferParameter.ParameterChoiceOneofCase expected)
    {
        Assert.Equal(expected, Parameter(text).ParameterChoiceCase);
    }

    [Fact]
    public void OneofMemberSetToItsDefaultStillSetsTheCase()
    {
        Assert.Equal(InferParameter.ParameterChoiceOneofCase.Int64Param, Parameter("int64_param: 0").ParameterChoiceCase);
    }

    [Fact]
    public void SchedulingChoiceOneofTakesOneMember()
    {
        var config = Config("sequence_batching { max_sequence_idle_microseconds: 1000 }");

        Assert.Equal(ModelConfig.SchedulingChoiceOneofCase.SequenceBatching, config.SchedulingChoiceCase);
        Assert.Equal(1000ul, config.SequenceBatching.MaxSequenceIdleMicroseconds);
    }

    [Fact]
    public void WindowsLineEndingsAndTabsAreWhitespace()
    {
        var config = Config("name:\t\"a\"\r\nmax_batch_size:\t4\r\n");

        Assert.Equal(new ModelConfig { Name = "a", MaxBatchSize = 4 }, config);
    }

    [Fact]
    public void NonGenericOverloadParsesByDescriptor()
    {
        var message = ProtoTextParser.Parse(ModelConfig.Descriptor, "name: 'x'");

        Assert.Equal(new ModelConfig { Name = "x" }, message);
    }
}
