using System.Globalization;
using InferenceGrpc.EndToEnd.Tests.Infrastructure;

namespace InferenceGrpc.EndToEnd.Tests;

/// <summary>Graceful shutdown of the server's own process, as a pod sees it.</summary>
public sealed class ShutdownTests
{
    /// <summary>A hang guard well above any --exit-timeout-secs used here, not a timing check.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(40);

    private static async Task<ServerProcess> StartReadyAsync(int exitTimeoutSecs)
    {
        var server = await ServerProcess.StartAsync(
            ServerProcess.StandardArgs("--exit-timeout-secs", exitTimeoutSecs.ToString(CultureInfo.InvariantCulture)));
        try
        {
            await server.WaitUntilReadyAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    [Fact]
    public async Task Sigterm_ReadyServer_ExitsZero()
    {
        await using var server = await StartReadyAsync(exitTimeoutSecs: 5);

        server.Process.Terminate();
        var exitCode = await server.Process.WaitForExitAsync(HangGuard);

        Assert.True(exitCode == 0, $"Exit code {exitCode}.\n{server.Process.Describe()}");
    }

    [Fact]
    public async Task Sigterm_StreamLeftOpen_ExitsZeroAfterExitTimeout()
    {
        // The client never closes its stream, so the server must give up on it when the exit timeout runs out.
        await using var server = await StartReadyAsync(exitTimeoutSecs: 1);
        using var call = server.Client.ModelStreamInfer();
        await call.RequestStream.WriteAsync(Wire.TextDirectionRequest("0", RandomImages.Create(1, 1)));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        server.Process.Terminate();
        var exitCode = await server.Process.WaitForExitAsync(HangGuard);

        Assert.True(exitCode == 0, $"Exit code {exitCode}.\n{server.Process.Describe()}");
    }
}
