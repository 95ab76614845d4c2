using System.Threading.Channels;
using Grpc.Core;
using Inference;

namespace InferenceGrpc.Tests.Infrastructure;

/// <summary>
/// Answers generated-client calls in memory, so client code runs without a server. Unary methods
/// are faked per name (unfaked ones fail with UNIMPLEMENTED, as a real server would); the one
/// duplex method, ModelStreamInfer, runs <see cref="StreamHandler"/> over the requests as they are written.
/// </summary>
internal sealed class FakeCallInvoker : CallInvoker
{
    private readonly Dictionary<string, Func<object, object>> _unary = new(StringComparer.Ordinal);

    public List<object> UnaryRequests { get; } = [];

    public Func<IAsyncEnumerable<ModelInferRequest>, IAsyncEnumerable<ModelStreamInferResponse>>? StreamHandler { get; set; }

    public FakeDuplexCall? LastStream { get; private set; }

    public FakeCallInvoker On<TRequest, TResponse>(string method, Func<TRequest, TResponse> handler)
        where TResponse : notnull
    {
        _unary[method] = request => handler((TRequest)request);
        return this;
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        UnaryRequests.Add(request);
        Task<TResponse> response;
        if (!_unary.TryGetValue(method.Name, out var handler))
        {
            response = Task.FromException<TResponse>(new RpcException(new Status(StatusCode.Unimplemented, $"{method.Name} is not faked")));
        }
        else
        {
            try
            {
                response = Task.FromResult((TResponse)handler(request));
            }
            catch (RpcException ex)
            {
                response = Task.FromException<TResponse>(ex);
            }
        }

        return new AsyncUnaryCall<TResponse>(
            response, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => new Metadata(), () => { });
    }

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        if (typeof(TRequest) != typeof(ModelInferRequest) || typeof(TResponse) != typeof(ModelStreamInferResponse))
        {
            throw new NotSupportedException($"Only ModelStreamInfer is faked, not {method.FullName}.");
        }

        var call = new FakeDuplexCall(StreamHandler ?? throw new InvalidOperationException("Set StreamHandler first."), options.CancellationToken);
        LastStream = call;
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(
            (IClientStreamWriter<TRequest>)call.Writer,
            (IAsyncStreamReader<TResponse>)call.Reader,
            Task.FromResult(new Metadata()),
            () => Status.DefaultSuccess,
            () => new Metadata(),
            call.Dispose);
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new NotSupportedException("The client under test must not block.");

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new NotSupportedException();

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException();
}

/// <summary>
/// One ModelStreamInfer call. Like Grpc.Net.Client, a cancelled or disposed call fails reads and
/// writes with RpcException(Cancelled).
/// </summary>
internal sealed class FakeDuplexCall : IDisposable
{
    private readonly Channel<ModelInferRequest> _requests = Channel.CreateUnbounded<ModelInferRequest>();
    private readonly CancellationTokenSource _cts;
    private readonly IAsyncEnumerator<ModelStreamInferResponse> _responses;
    private int _written;

    public FakeDuplexCall(
        Func<IAsyncEnumerable<ModelInferRequest>, IAsyncEnumerable<ModelStreamInferResponse>> handler,
        CancellationToken callToken)
    {
        _cts = CancellationTokenSource.CreateLinkedTokenSource(callToken);
        _responses = handler(_requests.Reader.ReadAllAsync(_cts.Token)).GetAsyncEnumerator(_cts.Token);
        Writer = new RequestWriter(this);
        Reader = new ResponseReader(this);
    }

    public IClientStreamWriter<ModelInferRequest> Writer { get; }

    public IAsyncStreamReader<ModelStreamInferResponse> Reader { get; }

    public int RequestsWritten => Volatile.Read(ref _written);

    public bool RequestStreamCompleted { get; private set; }

    public bool IsCancelled => _cts.IsCancellationRequested;

    public void Dispose() => _cts.Cancel();

    private static RpcException Cancelled() => new(new Status(StatusCode.Cancelled, "Call canceled by the client."));

    private sealed class RequestWriter(FakeDuplexCall call) : IClientStreamWriter<ModelInferRequest>
    {
        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(ModelInferRequest message) => WriteAsync(message, CancellationToken.None);

        public Task WriteAsync(ModelInferRequest message, CancellationToken cancellationToken)
        {
            if (call._cts.IsCancellationRequested || cancellationToken.IsCancellationRequested)
            {
                return Task.FromException(Cancelled());
            }

            if (call.RequestStreamCompleted)
            {
                return Task.FromException(new InvalidOperationException("Request stream is complete."));
            }

            call._requests.Writer.TryWrite(message);
            Interlocked.Increment(ref call._written);
            return Task.CompletedTask;
        }

        public Task CompleteAsync()
        {
            call.RequestStreamCompleted = true;
            call._requests.Writer.TryComplete();
            return Task.CompletedTask;
        }
    }

    private sealed class ResponseReader(FakeDuplexCall call) : IAsyncStreamReader<ModelStreamInferResponse>
    {
        public ModelStreamInferResponse Current => call._responses.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            try
            {
                return await call._responses.MoveNextAsync().AsTask().WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw Cancelled();
            }
        }
    }
}
