using InferenceGrpc.Cli.Inputs;

namespace InferenceGrpc.Cli.Tests.Inputs;

public sealed class DatasetReaderTests
{
    [Fact]
    public void ReadCsv_EmptyAndNaNCells_AreMissing()
    {
        var input = DatasetReader.ReadCsv(["a,b", "1,", "NaN,\"2.5\""]);

        Assert.Equal((2, 2), (input.Rows, input.RowElements));
        Assert.Equal(1, input.Values[0]);
        Assert.True(double.IsNaN(input.Values[1]));
        Assert.True(double.IsNaN(input.Values[2]));
        Assert.Equal(2.5, input.Values[3]);
    }

    [Theory]
    [InlineData(new[] { "a,b", "1,2", "3" }, "line 3: expected 2 columns as in the header, got 1")]
    [InlineData(new[] { "a", "x1" }, "line 2: expected a number, got 'x1'")]
    [InlineData(new[] { "a" }, "expected a header line and at least one row, got none")]
    public void ReadCsv_BadLine_NamesTheLine(string[] lines, string message)
    {
        var ex = Assert.Throws<InputFileException>(() => DatasetReader.ReadCsv(lines));

        Assert.Equal(message, ex.Message);
    }

    [Theory]
    [InlineData(new[] { "{\"x\": [1, 2]}", "{\"x\": [1]}" }, "line 2: input 'x': expected 2 values as in the first row, got 1")]
    [InlineData(new[] { "{\"x\": [1]}", "{\"y\": [1]}" }, "line 2: input 'y' is not in the first row")]
    [InlineData(new[] { "{\"x\": [1], \"y\": 2}", "{\"x\": [1]}" }, "line 2: expected the inputs x, y, got 1 of them")]
    [InlineData(new[] { "{\"x\": \"a\"}" }, "line 1: input 'x': expected numbers, null or nested arrays of them, got String")]
    [InlineData(new[] { "[1]" }, "line 1: expected an object of input name to values, got Array")]
    public void ReadJsonLines_InconsistentRows_NamesLineAndInput(string[] lines, string message)
    {
        var ex = Assert.Throws<InputFileException>(() => DatasetReader.ReadJsonLines(lines));

        Assert.Equal(message, ex.Message);
    }
}
