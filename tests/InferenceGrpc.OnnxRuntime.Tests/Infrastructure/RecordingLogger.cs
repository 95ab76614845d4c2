using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace InferenceGrpc.OnnxRuntime.Tests.Infrastructure;

/// <summary>
/// Keeps every log entry so tests can assert which events were written (by <see cref="EventId.Name"/>) and with
/// which structured values (never by message text).
/// </summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, EventId EventId, Exception? Exception, IReadOnlyDictionary<string, object?> Values)> Entries { get; } = new();

    public int Count(string eventName) => Entries.Count(e => e.EventId.Name == eventName);

    /// <summary>The structured values of every <paramref name="eventName"/> entry, in order.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Values(string eventName) =>
        Entries.Where(e => e.EventId.Name == eventName).Select(e => e.Values).ToList();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
            ? pairs.ToDictionary(p => p.Key, p => p.Value)
            : new Dictionary<string, object?>();
        Entries.Enqueue((logLevel, eventId, exception, values));
    }
}
