using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Inference;
using InferenceGrpc.Cli.Batch;
using InferenceGrpc.Cli.Tests.Infrastructure;
using InferenceGrpc.Client;
using InferenceGrpc.Server.Hosting;
using InferenceGrpc.Server.Tests.Infrastructure;
using InferenceGrpc.TestModels;
using Microsoft.Extensions.DependencyInjection;

namespace InferenceGrpc.Cli.Tests.Batch;

/// <summary>Transient stream failures: streams cut with UNAVAILABLE part way (an interceptor), and a server restarted mid-run.</summary>
public sealed class BatchRetryTests : IDisposable
{
    private readonly TempFolder _dir = new();
    private readonly TestRepository _repository = new TestRepository()
        .AddModel("scale", TestModelFactory.Scale(2f)).AddConfig("scale", """{"max_batch_size": 8}""");

    public void Dispose()
    {
        _dir.Dispose();
        _repository.Dispose();
    }

    [Fact]
    public async Task StreamUnavailable_Reconnects_ResendsUnanswered_OutputComplete()
    {
        var flaky = new FlakyStreams(failingStreams: 2, messagesBeforeFailure: 10);
        await using var server = await StartAsync(_repository, flaky);
        var rows = Data.Rows(count: 60, width: 4, seed: 20);
        var input = Data.WriteJsonl(_dir.File("in.jsonl"), rows, "INPUT0");
        var output = _dir.File("out.jsonl");
        var stderr = new StringWriter();

        var exitCode = await new BatchJob(Settings(input, output, maxRetries: 5), new InferenceClient(server.Channel.CreateCallInvoker()), stderr)
            .RunAsync(CancellationToken.None);

        Assert.True(exitCode == 0, stderr.ToString());
        Assert.Equal(3, flaky.Streams);
        var lines = Data.ReadJsonl(output);
        Assert.Equal(Enumerable.Range(0, 60), lines.Select(l => (int)l.Row));
        Assert.Equal(rows.Select(r => r.Select(v => v * 2f)), lines.Select(l => l.Outputs["OUTPUT0"]));
    }

    [Fact]
    public async Task StreamUnavailable_PastRetryLimit_ExitsOneWithCheckpoint()
    {
        var flaky = new FlakyStreams(failingStreams: int.MaxValue, messagesBeforeFailure: 0);
        await using var server = await StartAsync(_repository, flaky);
        var input = Data.WriteJsonl(_dir.File("in.jsonl"), Data.Rows(5, 4, 21), "INPUT0");
        var output = _dir.File("out.jsonl");
        var stderr = new StringWriter();

        var exitCode = await new BatchJob(Settings(input, output, maxRetries: 2), new InferenceClient(server.Channel.CreateCallInvoker()), stderr)
            .RunAsync(CancellationToken.None);

        Assert.Equal(1, exitCode);
        Assert.Equal(3, flaky.Streams);
        Assert.Contains("Unavailable", stderr.ToString());
        Assert.Contains("--resume", stderr.ToString());
        Assert.Equal(0, Checkpoint.Load(output + ".progress")!.NextRow);
    }

    [Fact]
    public async Task ServerRestartedMidRun_JobReconnectsToTheNewServer_OutputComplete()
    {
        // Arrange: a plain server; once 20 rows are written the writer waits while the test stops it (it drains:
        // answers what it read, ends the stream UNAVAILABLE) and starts another on the same port.
        var first = await RunningServer.StartAsync(_repository.Root);
        var address = ServerHost.GrpcAddress(first.App)!;
        using var channel = GrpcChannel.ForAddress(address);
        RunningServer? second = null;
        var restarted = 0;
        var rows = Data.Rows(count: 80, width: 4, seed: 22);
        var input = Data.WriteJsonl(_dir.File("in.jsonl"), rows, "INPUT0");
        var output = _dir.File("out.jsonl");
        var stderr = new StringWriter();

        try
        {
            // Act
            var exitCode = await new BatchJob(Settings(input, output, maxRetries: 30), new InferenceClient(channel.CreateCallInvoker()), stderr,
                rowsDone =>
                {
                    if (rowsDone >= 20 && Interlocked.Exchange(ref restarted, 1) == 0)
                    {
                        RestartAsync().GetAwaiter().GetResult();
                    }
                }).RunAsync(CancellationToken.None);

            // Assert
            Assert.True(exitCode == 0, stderr.ToString());
            var lines = Data.ReadJsonl(output);
            Assert.Equal(Enumerable.Range(0, 80), lines.Select(l => (int)l.Row));
            Assert.Equal(rows.Select(r => r.Select(v => v * 2f)), lines.Select(l => l.Outputs["OUTPUT0"]));
            var stats = await second!.Client.ModelStatisticsAsync(new ModelStatisticsRequest { Name = "scale" });
            Assert.True(stats.ModelStats.Sum(m => (long)m.InferenceCount) > 0, "the second server ran none of the rows");
        }
        finally
        {
            await first.DisposeAsync();
            if (second is not null)
            {
                await second.DisposeAsync();
            }
        }

        async Task RestartAsync()
        {
            await first.App.StopAsync();
            second = await RunningServer.StartAsync(_repository.Root, new Dictionary<string, string?>
            {
                ["Server:GrpcPort"] = new Uri(address).Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        }
    }

    private static BatchSettings Settings(string input, string output, int maxRetries) =>
        new("scale", "", [input], null, output, null, [], 1,
            new DispatchOptions(4, TimeSpan.FromSeconds(60), maxRetries, TimeSpan.FromMilliseconds(1)), Resume: false, Quiet: true);

    private static async Task<RunningServer> StartAsync(TestRepository repository, FlakyStreams flaky)
    {
        return await RunningServer.StartAsync(repository.Root, configure: builder =>
        {
            builder.Services.AddSingleton(flaky);
            builder.Services.AddGrpc(o => o.Interceptors.Add<FlakyStreams>());
        });
    }

    /// <summary>Ends the first <c>failingStreams</c> streams with UNAVAILABLE once they have read some messages.</summary>
    private sealed class FlakyStreams(int failingStreams, int messagesBeforeFailure) : Interceptor
    {
        private int _streams;

        public int Streams => Volatile.Read(ref _streams);

        public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
            IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
            DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
            Interlocked.Increment(ref _streams) <= failingStreams
                ? continuation(new FailingReader<TRequest>(requestStream, messagesBeforeFailure), responseStream, context)
                : continuation(requestStream, responseStream, context);
    }

    private sealed class FailingReader<T>(IAsyncStreamReader<T> inner, int messages) : IAsyncStreamReader<T>
    {
        private int _read;

        public T Current => inner.Current;

        public Task<bool> MoveNext(CancellationToken cancellationToken) =>
            _read++ < messages
                ? inner.MoveNext(cancellationToken)
                : throw new RpcException(new Status(StatusCode.Unavailable, "test: connection lost"));
    }
}
