using Inference;
using Inference.TextFormat;

namespace InferenceGrpc.Contracts.Tests.TextFormat;

/// <summary>Every error says where (line:column, 1-based) and which field, and throws <see cref="FormatException"/>.</summary>
public sealed class ProtoTextParserErrorTests
{
    private static string Error(string text) => Assert.Throws<FormatException>(() => ProtoTextParser.Parse<ModelConfig>(text)).Message;

    private static string ContentsError(string text) => Assert.Throws<FormatException>(() => ProtoTextParser.Parse<InferTensorContents>(text)).Message;

    [Fact]
    public void UnknownTopLevelField() =>
        Assert.Equal("line 3:1: unknown field 'max_batch' in inference.ModelConfig", Error("name: \"m\"\n\nmax_batch: 8"));

    [Fact]
    public void UnknownNestedFieldNamesThePath() =>
        Assert.Equal(
            "line 3:5: input[1]: unknown field 'dim' in inference.ModelInput",
            Error("input { name: 'a' }\ninput {\n    dim: [1]\n}"));

    [Fact]
    public void FieldNamesAreCaseSensitive() =>
        Assert.Equal("line 1:1: unknown field 'Name' in inference.ModelConfig", Error("Name: 'x'"));

    [Fact]
    public void WrongTypeInARepeatedFieldNamesTheElementsMessage()
    {
        var text = string.Join('\n', Enumerable.Repeat("# padding", 10)) + """

            input { name: "a" dims: [1] }
                input { name: "b" dims: [ 2, abc ] }
            """;

        Assert.Equal("line 12:34: input[1].dims: expected an integer, got 'abc'", Error(text));
    }

    [Theory]
    [InlineData("max_batch_size: 1.5", "line 1:17: max_batch_size: expected an integer, got '1.5'")]
    [InlineData("max_batch_size: \"8\"", "line 1:17: max_batch_size: expected an integer, got \"8\"")]
    [InlineData("max_batch_size: -x", "line 1:17: max_batch_size: expected an integer, got '-x'")]
    [InlineData("max_batch_size: 08", "line 1:17: max_batch_size: expected an integer, got '08'")]
    [InlineData("max_batch_size: 1e3", "line 1:17: max_batch_size: expected an integer, got '1e3'")]
    [InlineData("max_batch_size: 0x", "line 1:17: max_batch_size: expected an integer, got '0x'")]
    [InlineData("max_batch_size:", "line 1:16: max_batch_size: expected an integer, got end of input")]
    [InlineData("max_batch_size: 2147483648", "line 1:17: max_batch_size: '2147483648' is out of range for int32 (-2147483648..2147483647)")]
    [InlineData("max_batch_size: -2147483649", "line 1:17: max_batch_size: '-2147483649' is out of range for int32 (-2147483648..2147483647)")]
    [InlineData("max_batch_size: 99999999999999999999999", "line 1:17: max_batch_size: '99999999999999999999999' is out of range for int32 (-2147483648..2147483647)")]
    [InlineData("input { dims: 9223372036854775808 }", "line 1:15: input[0].dims: '9223372036854775808' is out of range for int64 (-9223372036854775808..9223372036854775807)")]
    [InlineData("version_policy { latest { num_versions: -1 } }", "line 1:41: version_policy.latest.num_versions: '-1' is out of range for uint32 (0..4294967295)")]
    [InlineData("version_policy { latest { num_versions: 4294967296 } }", "line 1:41: version_policy.latest.num_versions: '4294967296' is out of range for uint32 (0..4294967295)")]
    [InlineData("dynamic_batching { max_queue_delay_microseconds: -5 }", "line 1:50: dynamic_batching.max_queue_delay_microseconds: '-5' is out of range for uint64 (0..18446744073709551615)")]
    [InlineData("dynamic_batching { max_queue_delay_microseconds: 18446744073709551616 }", "line 1:50: dynamic_batching.max_queue_delay_microseconds: '18446744073709551616' is out of range for uint64 (0..18446744073709551615)")]
    public void IntegerErrors(string text, string expected) => Assert.Equal(expected, Error(text));

    [Theory]
    [InlineData("fp32_contents: abc", "line 1:16: fp32_contents: expected a number, got 'abc'")]
    [InlineData("fp32_contents: 1.5.5", "line 1:16: fp32_contents: expected a number, got '1.5.5'")]
    [InlineData("fp32_contents: 1.5ff", "line 1:16: fp32_contents: expected a number, got '1.5ff'")]
    [InlineData("fp64_contents: [1, 'two']", "line 1:20: fp64_contents: expected a number, got 'two'")]
    [InlineData("bool_contents: yes", "line 1:16: bool_contents: expected a boolean (true or false), got 'yes'")]
    [InlineData("bool_contents: 2", "line 1:16: bool_contents: expected a boolean (true or false), got '2'")]
    [InlineData("bool_contents: TRUE", "line 1:16: bool_contents: expected a boolean (true or false), got 'TRUE'")]
    [InlineData("bytes_contents: abc", "line 1:17: bytes_contents: expected a string in quotes, got 'abc'")]
    public void OtherScalarErrors(string text, string expected) => Assert.Equal(expected, ContentsError(text));

    [Theory]
    [InlineData("input { data_type: TYPE_FLOAT32 }", "line 1:20: input[0].data_type: unknown value 'TYPE_FLOAT32' for enum inference.DataType; expected one of TYPE_INVALID, TYPE_BOOL, TYPE_UINT8, TYPE_UINT16, TYPE_UINT32, TYPE_UINT64, TYPE_INT8, TYPE_INT16, TYPE_INT32, TYPE_INT64, TYPE_FP16, TYPE_FP32, TYPE_FP64, TYPE_STRING, TYPE_BF16")]
    [InlineData("input { data_type: type_fp32 }", "line 1:20: input[0].data_type: unknown value 'type_fp32' for enum inference.DataType; expected one of TYPE_INVALID, TYPE_BOOL, TYPE_UINT8, TYPE_UINT16, TYPE_UINT32, TYPE_UINT64, TYPE_INT8, TYPE_INT16, TYPE_INT32, TYPE_INT64, TYPE_FP16, TYPE_FP32, TYPE_FP64, TYPE_STRING, TYPE_BF16")]
    [InlineData("input { data_type: 99 }", "line 1:20: input[0].data_type: unknown number 99 for enum inference.DataType")]
    [InlineData("input { data_type: \"TYPE_FP32\" }", "line 1:20: input[0].data_type: expected a value of enum inference.DataType, got \"TYPE_FP32\"")]
    [InlineData("instance_group { kind: GPU }", "line 1:24: instance_group[0].kind: unknown value 'GPU' for enum inference.ModelInstanceGroup.Kind; expected one of KIND_AUTO, KIND_GPU, KIND_CPU, KIND_MODEL")]
    public void EnumErrors(string text, string expected) => Assert.Equal(expected, Error(text));

    [Theory]
    [InlineData("name: \"abc", "line 1:7: string literal is not closed before the end of the line")]
    [InlineData("name: 'abc\"", "line 1:7: string literal is not closed before the end of the line")]
    [InlineData("name: \"ab\nc\"", "line 1:7: string literal is not closed before the end of the line")]
    [InlineData(@"name: 'a\qb'", @"line 1:9: invalid escape sequence '\q'")]
    [InlineData(@"name: 'a\xzz'", @"line 1:9: '\x' needs one or two hex digits")]
    [InlineData(@"name: '\777'", @"line 1:8: octal escape '\777' is larger than a byte")]
    [InlineData(@"name: '\u12'", @"line 1:8: '\u' needs 4 hex digits")]
    [InlineData(@"name: '\U00110000'", @"line 1:8: '\U' escape U+110000 is not a Unicode scalar value")]
    [InlineData(@"name: '\ud800'", @"line 1:8: '\u' escape U+D800 is not a Unicode scalar value")]
    [InlineData(@"name: '\ud83d\u0041'", @"line 1:8: a '\u' high surrogate must be followed by a low surrogate")]
    [InlineData(@"name: 'ab\", @"line 1:10: string literal ends in an unfinished escape")]
    [InlineData(@"name: '\xff'", "line 1:7: name: string is not valid UTF-8 (use a bytes field for binary data)")]
    [InlineData("name: abc", "line 1:7: name: expected a string in quotes, got 'abc'")]
    [InlineData("name: 5", "line 1:7: name: expected a string in quotes, got '5'")]
    public void StringErrors(string text, string expected) => Assert.Equal(expected, Error(text));

    [Theory]
    [InlineData("name: 'a' name: 'b'", "line 1:11: non-repeated field 'name' is specified more than once")]
    [InlineData("max_batch_size: 0\nmax_batch_size: 0", "line 2:1: non-repeated field 'max_batch_size' is specified more than once")]
    [InlineData("dynamic_batching { } dynamic_batching { }", "line 1:22: non-repeated field 'dynamic_batching' is specified more than once")]
    [InlineData("input { name: 'a' data_type: TYPE_FP32 name: 'b' }", "line 1:40: input[0]: non-repeated field 'name' is specified more than once")]
    [InlineData("parameters { key: 'a' key: 'b' }", "line 1:23: parameters[\"a\"]: non-repeated field 'key' is specified more than once")]
    [InlineData("parameters { key: 'a' value { } value { } }", "line 1:33: parameters[\"a\"]: non-repeated field 'value' is specified more than once")]
    [InlineData("version_policy { latest { } all { } }", "line 1:29: version_policy: field 'all' is specified along with 'latest', another member of oneof 'policy_choice'")]
    [InlineData("dynamic_batching { }\nsequence_batching { }", "line 2:1: field 'sequence_batching' is specified along with 'dynamic_batching', another member of oneof 'scheduling_choice'")]
    public void FieldGivenTwiceWhenNotRepeated(string text, string expected) => Assert.Equal(expected, Error(text));

    [Theory]
    [InlineData("name \"x\"", "line 1:6: name: expected ':' after 'name', got \"x\"")]
    [InlineData("max_batch_size { }", "line 1:16: max_batch_size: expected ':' after 'max_batch_size', got '{'")]
    [InlineData("name: ['a', 'b']", "line 1:7: name: field 'name' is not repeated; a list is not allowed")]
    [InlineData("version_policy [ { all {} } ]", "line 1:16: version_policy: field 'version_policy' is not repeated; a list is not allowed")]
    [InlineData("version_policy: 1", "line 1:17: version_policy: expected '{' or '<' to start inference.ModelVersionPolicy, got '1'")]
    [InlineData("input [ name: 'a' ]", "line 1:9: input: expected '{' or '<' to start inference.ModelInput, got 'name'")]
    [InlineData("input { name: 'a' ", "line 1:19: input[0]: expected '}' to close inference.ModelInput, got end of input")]
    [InlineData("input { name: 'a' >", "line 1:19: input[0]: expected a field name, got '>'")]
    [InlineData("input < name: 'a' }", "line 1:19: input[0]: expected a field name, got '}'")]
    [InlineData("}", "line 1:1: expected a field name, got '}'")]
    [InlineData("input { dims: [1, 2 }", "line 1:21: input[0].dims: expected ',' or ']' in a list, got '}'")]
    [InlineData("input { dims: [1, 2,] }", "line 1:21: input[0].dims: expected an integer, got ']'")]
    [InlineData("input { dims: [1 2] }", "line 1:18: input[0].dims: expected ',' or ']' in a list, got '2'")]
    [InlineData("input [ { name: 'a' } { name: 'b' } ]", "line 1:23: input: expected ',' or ']' in a list, got '{'")]
    [InlineData("5: 'x'", "line 1:1: expected a field name, got '5'")]
    [InlineData("[ext.field]: 1", "line 1:1: extension and Any fields ('[...]') are not supported")]
    [InlineData("name: 'a' @", "line 1:11: expected a field name, got '@'")]
    [InlineData("// comment\nname: 'a'", "line 1:1: expected a field name, got '/'")]
    [InlineData("parameters { key: 'a' other: 1 }", "line 1:23: parameters[\"a\"]: unknown field 'other' in a map entry of 'parameters'; expected 'key' or 'value'")]
    [InlineData("parameters { key: 'a' value: 'x' }", "line 1:30: parameters[\"a\"].value: expected '{' or '<' to start inference.ModelParameter, got 'x'")]
    [InlineData("parameters { key 'a' }", "line 1:18: parameters.key: expected ':' after 'key', got 'a'")]
    [InlineData("parameters { key: 1 }", "line 1:19: parameters.key: expected a string in quotes, got '1'")]
    [InlineData("parameters { key: 'a'", "line 1:22: parameters[\"a\"]: expected '}' to close the map entry, got end of input")]
    [InlineData("dynamic_batching { priority_queue_policy { key: -1 } }", "line 1:49: dynamic_batching.priority_queue_policy.key: '-1' is out of range for uint64 (0..18446744073709551615)")]
    public void SyntaxErrors(string text, string expected) => Assert.Equal(expected, Error(text));

    [Fact]
    public void ErrorInsideAMapValueNamesTheKey() =>
        Assert.Equal(
            "line 2:37: parameters[\"threads\"].value: unknown field 'int_value' in inference.ModelParameter",
            Error("name: 'm'\nparameters { key: \"threads\" value { int_value: 2 } }"));

    [Fact]
    public void ColumnsCountTabsAsOneCharacter() =>
        Assert.Equal("line 2:3: unknown field 'nme' in inference.ModelConfig", Error("name: 'a'\n\t\tnme: 'b'"));

    [Fact]
    public void NestingIsLimitedAsProtobufDoes()
    {
        static string Nested(int lists) =>
            string.Concat(Enumerable.Repeat("list_value { values { ", lists)) + "number_value: 1" + string.Concat(Enumerable.Repeat(" } }", lists));

        var shallow = ProtoTextParser.Parse<Google.Protobuf.WellKnownTypes.Value>(Nested(40));
        Assert.Equal(Google.Protobuf.WellKnownTypes.Value.KindOneofCase.ListValue, shallow.KindCase);

        var message = Assert.Throws<FormatException>(() => ProtoTextParser.Parse<Google.Protobuf.WellKnownTypes.Value>(Nested(60))).Message;
        Assert.EndsWith("messages are nested more than 100 deep", message);
    }

    [Fact]
    public void NullTextIsAnArgumentError() => Assert.Throws<ArgumentNullException>(() => ProtoTextParser.Parse<ModelConfig>(null!));
}
