using System.Diagnostics;
using Grpc.Core;
using InferenceGrpc.Core.Diagnostics;
using InferenceGrpc.Server.Tests.Infrastructure;
using InferenceGrpc.TestModels;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace InferenceGrpc.Server.Tests.Diagnostics;

/// <summary>
/// Traces with an in-memory exporter: the caller's W3C trace context (gRPC metadata) is continued, each request's
/// queue wait is a span of that trace, and the batch execution is a span linked to the requests it served.
/// </summary>
public sealed class TracingTests(TracingTests.Fixture fixture) : IClassFixture<TracingTests.Fixture>
{
    public sealed class Fixture : ServerFixtureBase
    {
        // The exporter adds from its own thread while the test reads: every access goes through one lock.
        public LockedCollection<Activity> Spans { get; } = new();

        private protected override void Populate(TestRepository repository) =>
            repository.AddModel(ModelNames.Simple, TestModelFactory.AddSub(TensorElementKind.Float, [null, 16]));

        protected override void Configure(WebApplicationBuilder builder) =>
            builder.Services.AddOpenTelemetry().WithTracing(t => t
                .AddSource(InferenceTracing.SourceName)
                .AddAspNetCoreInstrumentation()
                .AddInMemoryExporter(Spans));
    }

    [Fact]
    public async Task ModelInfer_WithTraceparent_QueueSpanContinuesTheCallersTraceAndBatchSpanLinksToIt()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var parentSpan = ActivitySpanId.CreateRandom();
        var headers = new Metadata { { "traceparent", $"00-{traceId}-{parentSpan}-01" } };

        await fixture.Client.ModelInferAsync(Requests.Simple(Requests.Sequence(16, 1f), Requests.Sequence(16, 2f)), headers);

        // Spans are exported as they end, which can be just after the response reaches the caller.
        var queue = await ExportedAsync(s => s.OperationName == "inference.queue" && s.TraceId == traceId);
        Assert.Equal("simple", queue.GetTagItem("inference.model"));
        var call = await ExportedAsync(s => s.TraceId == traceId && s.SpanId == queue.ParentSpanId);
        Assert.Equal(parentSpan, call.ParentSpanId);   // the server span continues the caller's span
        var batch = await ExportedAsync(s => s.OperationName == "inference.batch" && s.Links.Any(l => l.Context.SpanId == queue.SpanId));
        Assert.Equal(1, batch.GetTagItem("inference.batch.requests"));
    }

    private async Task<Activity> ExportedAsync(Func<Activity, bool> match)
    {
        // A hang guard, not a timing assertion: the span normally arrives within milliseconds.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var found = Snapshot().Where(match).ToList();
            if (found.Count > 0 || DateTime.UtcNow > deadline)
            {
                return Assert.Single(found);
            }

            await Task.Delay(10);
        }
    }

    private List<Activity> Snapshot() => fixture.Spans.Snapshot();

}

/// <summary>A collection safe to add to from one thread while another takes snapshots.</summary>
public sealed class LockedCollection<T> : ICollection<T>
{
    private readonly List<T> _items = [];

    public int Count
    {
        get
        {
            lock (_items)
            {
                return _items.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public void Add(T item)
    {
        lock (_items)
        {
            _items.Add(item);
        }
    }

    public List<T> Snapshot()
    {
        lock (_items)
        {
            return [.. _items];
        }
    }

    public void Clear()
    {
        lock (_items)
        {
            _items.Clear();
        }
    }

    public bool Contains(T item)
    {
        lock (_items)
        {
            return _items.Contains(item);
        }
    }

    public void CopyTo(T[] array, int arrayIndex)
    {
        lock (_items)
        {
            _items.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(T item)
    {
        lock (_items)
        {
            return _items.Remove(item);
        }
    }

    public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
