using Grpc.Core;

namespace InferenceGrpc.Server.Tests.Infrastructure;

internal static class RpcAssert
{
    /// <summary>
    /// Asserts that the call fails with <paramref name="code"/> and that its message names each of
    /// <paramref name="names"/> (a model, an input): the message's wording is free, what it points at is not.
    /// </summary>
    public static async Task<RpcException> FailsAsync<T>(StatusCode code, AsyncUnaryCall<T> call, params string[] names)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call);
        Assert.Equal(code, ex.StatusCode);
        foreach (var name in names)
        {
            Assert.Contains(name, ex.Status.Detail, StringComparison.Ordinal);
        }

        return ex;
    }
}
