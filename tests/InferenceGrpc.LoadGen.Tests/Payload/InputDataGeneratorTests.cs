using System.Runtime.InteropServices;
using InferenceGrpc.LoadGen.Payload;

namespace InferenceGrpc.LoadGen.Tests.Payload;

public sealed class InputDataGeneratorTests
{
    private static readonly TensorDescriptor[] MiniLm =
    [
        new("input_ids", "INT64", [-1, -1]),
        new("attention_mask", "INT64", [-1, -1]),
        new("token_type_ids", "INT64", [-1, -1]),
    ];

    [Fact]
    public void Generate_TokenInputs_LookLikeBert()
    {
        var inputs = InputDataGenerator.Generate(MiniLm, [[2, 128], [2, 128], [2, 128]], seed: 42);

        var ids = MemoryMarshal.Cast<byte, long>(inputs[0].Data).ToArray();
        Assert.Equal(256, ids.Length);
        Assert.All(ids, id => Assert.InRange(id, InputDataGenerator.MinTokenId, InputDataGenerator.MaxTokenId));
        Assert.True(ids.Distinct().Count() > 200);
        Assert.All(MemoryMarshal.Cast<byte, long>(inputs[1].Data).ToArray(), m => Assert.Equal(1, m));
        Assert.All(MemoryMarshal.Cast<byte, long>(inputs[2].Data).ToArray(), t => Assert.Equal(0, t));
    }

    [Fact]
    public void Generate_SameSeed_SameBytes_OtherSeed_OtherBytes()
    {
        TensorDescriptor[] image = [new("x", "FP32", [-1, 3, 48, 192])];
        long[][] shape = [[1, 3, 48, 192]];

        var first = InputDataGenerator.Generate(image, shape, 42)[0];
        var again = InputDataGenerator.Generate(image, shape, 42)[0];
        var other = InputDataGenerator.Generate(image, shape, 43)[0];

        Assert.Equal(110_592, first.Data.Length);
        Assert.Equal(first.Data, again.Data);
        Assert.NotEqual(first.Data, other.Data);
        Assert.All(MemoryMarshal.Cast<byte, float>(first.Data).ToArray(), v => Assert.InRange(v, -1f, 1f));
    }

    [Theory]
    [InlineData("BOOL", 1)]
    [InlineData("UINT8", 1)]
    [InlineData("INT16", 2)]
    [InlineData("FP16", 2)]
    [InlineData("BF16", 2)]
    [InlineData("INT32", 4)]
    [InlineData("UINT64", 8)]
    [InlineData("FP64", 8)]
    public void Data_FixedSizeTypes_HaveVolumeTimesElementSizeBytes(string datatype, int size)
    {
        Assert.Equal(6 * size, InputDataGenerator.Data("v", datatype, [2, 3], new Random(1)).Length);
    }

    [Fact]
    public void Data_Bytes_IsLengthPrefixedElements()
    {
        var data = InputDataGenerator.Data("text", "BYTES", [2], new Random(1));

        var first = BitConverter.ToInt32(data, 0);
        var second = BitConverter.ToInt32(data, 4 + first);
        Assert.Equal(data.Length, 4 + first + 4 + second);
    }
}
