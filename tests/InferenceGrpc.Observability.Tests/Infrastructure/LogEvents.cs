using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.Logging;

namespace InferenceGrpc.Observability.Tests.Infrastructure;

/// <summary>One source-generated log method of the server.</summary>
public sealed record LogEvent(int Id, string Name, LogLevel Level, string Message, MethodInfo Method)
{
    public string Where => $"{Method.DeclaringType?.FullName}.{Method.Name}";
}

/// <summary>Every <c>[LoggerMessage]</c> method of the server's assemblies (InferenceGrpc.* beside this one).</summary>
internal static class LogEvents
{
    public static IReadOnlyList<LogEvent> Declared { get; } = Load();

    private static List<LogEvent> Load()
    {
        var self = typeof(LogEvents).Assembly.GetName().Name;
        var events = new List<LogEvent>();
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory, "InferenceGrpc.*.dll"))
        {
            var name = AssemblyName.GetAssemblyName(file);
            if (name.Name == self || name.Name!.Contains("Test", StringComparison.Ordinal))
            {
                continue;
            }

            var assembly = AssemblyLoadContext.Default.LoadFromAssemblyName(name);
            foreach (var type in assembly.GetTypes())
            {
                const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
                foreach (var method in type.GetMethods(all))
                {
                    if (method.GetCustomAttribute<LoggerMessageAttribute>() is { } attribute)
                    {
                        events.Add(new LogEvent(attribute.EventId, attribute.EventName ?? method.Name, attribute.Level, attribute.Message, method));
                    }
                }
            }
        }

        return events.OrderBy(e => e.Id).ToList();
    }
}
