using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace InferenceGrpc.Core.Tests.Fakes;

/// <summary>A logger that keeps every entry, to assert on event names rather than message text.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    /// <summary>Throws from <see cref="Log"/> for this event name, to simulate a broken logging sink.</summary>
    public string? ThrowOn { get; set; }

    public IReadOnlyList<LogEntry> Entries => _entries.ToArray();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Name is { } name && name == ThrowOn)
        {
            throw new InvalidOperationException($"logging sink failed on {name}");
        }

        _entries.Enqueue(new LogEntry(logLevel, eventId, exception));
    }
}

internal sealed record LogEntry(LogLevel Level, EventId EventId, Exception? Exception);
