using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace InferenceGrpc.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A child process whose standard output and error are captured line by line, so a test can wait for a line and
/// a failure can show everything the process said. Disposing kills the process (and its children) if it still
/// runs; a process-exit hook kills whatever is left should the test host go down without disposing.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private const int SigTerm = 15;

    private static readonly ConcurrentDictionary<int, Process> Running = new();

    private readonly Process _process;
    private readonly string _commandLine;
    private readonly Lock _gate = new();
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Found)> _waiters = [];
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    static ChildProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var process in Running.Values)
        {
            TryKill(process);
        }
    };

    private ChildProcess(ProcessStartInfo startInfo)
    {
        _commandLine = startInfo.FileName + " " + string.Join(' ', startInfo.ArgumentList);
        _process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data, _stdout, _stdoutClosed, matchWaiters: true);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data, _stderr, _stderrClosed, matchWaiters: false);
        _process.Start();
        Running[_process.Id] = _process;
        _process.StandardInput.Close();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string StandardOutput => Join(_stdout);

    public string StandardError => Join(_stderr);

    /// <summary>Starts <c>dotnet assembly args…</c>. The INFERENCEGRPC_ variables of this process are not passed on.</summary>
    public static ChildProcess StartDotnet(string assembly, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo(BuildOutputs.DotnetHost)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        startInfo.ArgumentList.Add(assembly);
        foreach (var arg in args)
        {
            startInfo.ArgumentList.Add(arg);
        }

        foreach (var key in startInfo.Environment.Keys.Where(k => k.StartsWith("INFERENCEGRPC_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            startInfo.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        return new ChildProcess(startInfo);
    }

    /// <summary>The first standard-output line matching <paramref name="pattern"/>, seen or to come.</summary>
    /// <exception cref="TimeoutException">No such line within <paramref name="timeout"/>; the message holds the output.</exception>
    /// <exception cref="InvalidOperationException">The process closed its output first; the message holds the output.</exception>
    public async Task<Match> WaitForOutputAsync(Regex pattern, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var seen = _stdout.Select(line => pattern.Match(line)).FirstOrDefault(m => m.Success);
            if (seen is not null)
            {
                return seen;
            }

            if (_stdoutClosed.Task.IsCompleted)
            {
                found.SetCanceled();
            }
            else
            {
                _waiters.Add((pattern, found));
            }
        }

        try
        {
            return await found.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No output line matching /{pattern}/ within {timeout.TotalSeconds} s.\n{Describe()}");
        }
        catch (OperationCanceledException)
        {
            // Output closed before the line came: the process exited (or is exiting).
            await WaitForExitQuietlyAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"The process ended its output without a line matching /{pattern}/.\n{Describe()}");
        }
    }

    /// <summary>Waits for the process to exit and its output to drain; returns the exit code.</summary>
    /// <exception cref="TimeoutException">It still runs after <paramref name="timeout"/> (a hang guard); the message holds the output.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await Task.WhenAll(_process.WaitForExitAsync(), _stdoutClosed.Task, _stderrClosed.Task).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The process still runs after {timeout.TotalSeconds} s.\n{Describe()}");
        }

        Running.TryRemove(_process.Id, out _);
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM, as Kubernetes does to stop a pod.</summary>
    public void Terminate()
    {
        if (Kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>The command, its state and everything it wrote: for failure messages.</summary>
    public string Describe()
    {
        var state = _process.HasExited ? $"exited with code {_process.ExitCode}" : "still running";
        return $"Command: {_commandLine}\nProcess {_process.Id}: {state}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}\n---";
    }

    public async ValueTask DisposeAsync()
    {
        TryKill(_process);
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Killed but not reaped: nothing more a test can do.
        }

        Running.TryRemove(_process.Id, out _);
        _process.Dispose();
    }

    private static void TryKill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }

    private async Task WaitForExitQuietlyAsync()
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Describe() says it still runs.
        }
    }

    private void OnLine(string? line, List<string> lines, TaskCompletionSource closed, bool matchWaiters)
    {
        lock (_gate)
        {
            if (line is null)
            {
                closed.TrySetResult();
                if (matchWaiters)
                {
                    // Cancelled means "closed"; the waiter builds its message (with the output) outside this lock.
                    foreach (var (_, found) in _waiters)
                    {
                        found.TrySetCanceled();
                    }

                    _waiters.Clear();
                }

                return;
            }

            lines.Add(line);
            if (matchWaiters)
            {
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_waiters[i].Pattern.Match(line) is { Success: true } match)
                    {
                        _waiters[i].Found.TrySetResult(match);
                        _waiters.RemoveAt(i);
                    }
                }
            }
        }
    }

    private string Join(List<string> lines)
    {
        lock (_gate)
        {
            return string.Join('\n', lines);
        }
    }

    // "libc" resolves to the C library on Linux; kill(2) rather than /bin/kill, which slim images may lack.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
