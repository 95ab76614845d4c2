using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace InferenceGrpc.OnnxRuntime.Tests.Infrastructure;

/// <summary>Keeps every log entry so tests can assert which events were written (by <see cref="EventId.Name"/>).</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, EventId EventId, Exception? Exception)> Entries { get; } = new();

    public int Count(string eventName) => Entries.Count(e => e.EventId.Name == eventName);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, eventId, exception));
}
