using InferenceGrpc.LoadGen.Measurement;

namespace InferenceGrpc.LoadGen.Tests.Measurement;

public sealed class OpenLoopScheduleTests
{
    private const long TicksPerSecond = 10_000_000;

    [Fact]
    public void IntendedTicks_EvenRate_SpacesRequestsOneIntervalApart()
    {
        var schedule = new OpenLoopSchedule(500, 1000, TicksPerSecond);

        Assert.Equal(500, schedule.IntendedTicks(0));
        Assert.Equal(500 + 10_000, schedule.IntendedTicks(1));
        Assert.Equal(500 + TicksPerSecond, schedule.IntendedTicks(1000));
    }

    [Fact]
    public void IntendedTicks_FractionalInterval_DoesNotDrift()
    {
        // 3 per second: intervals of 3,333,333.3 ticks; rounding each time, not accumulating, keeps request 3 on 1 s.
        var schedule = new OpenLoopSchedule(0, 3, TicksPerSecond);

        Assert.Equal(3_333_333, schedule.IntendedTicks(1));
        Assert.Equal(6_666_667, schedule.IntendedTicks(2));
        Assert.Equal(TicksPerSecond, schedule.IntendedTicks(3));
        Assert.Equal(3000 * TicksPerSecond, schedule.IntendedTicks(9000));
    }

    [Fact]
    public void DueBy_CountsRequestsAtOrBeforeNow()
    {
        var schedule = new OpenLoopSchedule(1_000, 100, TicksPerSecond);   // one every 100,000 ticks

        Assert.Equal(0, schedule.DueBy(999));
        Assert.Equal(1, schedule.DueBy(1_000));
        Assert.Equal(1, schedule.DueBy(100_999));
        Assert.Equal(2, schedule.DueBy(101_000));
        Assert.Equal(101, schedule.DueBy(1_000 + TicksPerSecond));
    }

    [Fact]
    public void CountIn_OneSecondWindowAfterWarmup_IsTheRate()
    {
        var schedule = new OpenLoopSchedule(0, 250, TicksPerSecond);

        Assert.Equal(250, schedule.CountIn(2 * TicksPerSecond, 3 * TicksPerSecond));
        Assert.Equal(0, schedule.CountIn(5, 5));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(3.0)]
    [InlineData(7.3)]
    [InlineData(999.9)]
    [InlineData(123_456.0)]
    public void FirstIndexAtOrAfter_AgreesWithIntendedTicks(double rate)
    {
        var schedule = new OpenLoopSchedule(12_345, rate, TicksPerSecond);
        var random = new Random(7);
        for (var i = 0; i < 2_000; i++)
        {
            var ticks = 12_345 + (long)(random.NextDouble() * 5 * TicksPerSecond);

            var index = schedule.FirstIndexAtOrAfter(ticks);

            Assert.True(schedule.IntendedTicks(index) >= ticks);
            Assert.True(index == 0 || schedule.IntendedTicks(index - 1) < ticks);
        }
    }

    [Theory]
    [InlineData(1_000, 1_000, false)]
    [InlineData(1_000, 1_020, false)]
    [InlineData(1_000, 1_021, true)]
    [InlineData(1_000, 900, false)]
    public void IsLate_OnlyBeyondTolerance(long intended, long sent, bool late)
    {
        Assert.Equal(late, OpenLoopSchedule.IsLate(intended, sent, toleranceTicks: 20));
    }

    [Fact]
    public void Constructor_NonPositiveRate_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OpenLoopSchedule(0, 0, TicksPerSecond));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OpenLoopSchedule(0, 10, 0));
    }
}
