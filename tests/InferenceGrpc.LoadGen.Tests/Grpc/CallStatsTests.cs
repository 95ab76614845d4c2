using Inference;
using InferenceGrpc.LoadGen.Grpc;

namespace InferenceGrpc.LoadGen.Tests.Grpc;

public sealed class CallStatsTests
{
    private static ModelInferResponse Response(params (string Name, InferParameter Value)[] parameters)
    {
        var response = new ModelInferResponse { ModelName = "m" };
        foreach (var (name, value) in parameters)
        {
            response.Parameters[name] = value;
        }

        return response;
    }

    [Fact]
    public void Success_WithSchedulerParameters_AveragesThem()
    {
        var stats = new CallStats();

        stats.Success(Response(("batch_size", new InferParameter { Int64Param = 4 }), ("queue_time_us", new InferParameter { Int64Param = 100 }),
            ("compute_time_us", new InferParameter { Int64Param = 2000 })));
        stats.Success(Response(("batch_size", new InferParameter { Int64Param = 8 }), ("queue_time_us", new InferParameter { Int64Param = 300 }),
            ("compute_time_us", new InferParameter { Int64Param = 4000 })));

        Assert.Equal(2, stats.Requests);
        Assert.Equal(6.0, CallStats.Mean(stats.BatchSizeSum, stats.BatchSizeCount));
        Assert.Equal(200.0, CallStats.Mean(stats.QueueTimeSum, stats.QueueTimeCount));
        Assert.Equal(3000.0, CallStats.Mean(stats.ComputeTimeSum, stats.ComputeTimeCount));
    }

    [Fact]
    public void Success_WithoutParameters_LeavesTheMeansAbsent()
    {
        var stats = new CallStats();

        stats.Success(Response());

        Assert.Equal(1, stats.Requests);
        Assert.Null(CallStats.Mean(stats.BatchSizeSum, stats.BatchSizeCount));
    }

    [Theory]
    [MemberData(nameof(OtherEncodings))]
    public void TryGetInt64_OtherNumericEncodings_AreRead(InferParameter parameter, bool readable, long expected)
    {
        var response = Response(("batch_size", parameter));

        Assert.Equal(readable, ResponseParameters.TryGetInt64(response.Parameters, "batch_size", out var value));
        Assert.Equal(expected, value);
    }

    public static TheoryData<InferParameter, bool, long> OtherEncodings() => new()
    {
        { new InferParameter { Uint64Param = 16 }, true, 16 },
        { new InferParameter { DoubleParam = 7.6 }, true, 8 },
        { new InferParameter { StringParam = "32" }, true, 32 },
        { new InferParameter { StringParam = "many" }, false, 0 },
        { new InferParameter { BoolParam = true }, false, 0 },
    };

    [Fact]
    public void Merge_AddsCountersAndErrorsByStatus()
    {
        var a = new CallStats();
        a.Error("Unavailable");
        a.Success(Response(("batch_size", new InferParameter { Int64Param = 2 })));
        var b = new CallStats { Late = 3, MaxSendLagTicks = 50 };
        b.Error("Unavailable");
        b.Error(CallStats.InBandError);

        a.Merge(b);

        Assert.Equal(3, a.Errors);
        Assert.Equal(2, a.ErrorsByStatus["Unavailable"]);
        Assert.Equal(1, a.ErrorsByStatus[CallStats.InBandError]);
        Assert.Equal(3, a.Late);
        Assert.Equal(50, a.MaxSendLagTicks);
        Assert.Equal(1, a.Requests);
    }
}
