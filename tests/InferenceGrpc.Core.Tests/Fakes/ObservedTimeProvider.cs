using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace InferenceGrpc.Core.Tests.Fakes;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports each timer armed on it, so a test can wait until the code under
/// test has decided to wait (and for how long) before it advances the clock.
/// </summary>
internal sealed class ObservedTimeProvider : FakeTimeProvider
{
    private readonly Channel<ArmedTimer> _armed = Channel.CreateUnbounded<ArmedTimer>();

    public ObservedTimeProvider()
        : base(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _armed.Writer.TryWrite(new ArmedTimer(GetUtcNow(), dueTime));
        return timer;
    }

    /// <summary>Waits for a timer of <paramref name="dueTime"/> to be armed, skipping others armed before it.</summary>
    public async Task<ArmedTimer> WaitForTimerAsync(TimeSpan dueTime)
    {
        using var guard = new CancellationTokenSource(GateRunner.HangGuard);
        while (true)
        {
            var timer = await _armed.Reader.ReadAsync(guard.Token);
            if (timer.DueTime == dueTime)
            {
                return timer;
            }
        }
    }
}

/// <summary>A timer armed at <paramref name="ArmedAt"/> (fake time) to fire <paramref name="DueTime"/> later.</summary>
internal readonly record struct ArmedTimer(DateTimeOffset ArmedAt, TimeSpan DueTime);
