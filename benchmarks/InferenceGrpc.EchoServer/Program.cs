using System.Globalization;
using System.Net;
using InferenceGrpc.EchoServer;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// Flags: --port N (default 8011; 0 picks one), --address A (default 127.0.0.1), --model-repository DIR (describe every
// model with a config.json there), --model NAME --input name:DATATYPE:d1,d2,... (repeatable; -1 for any size).
const string usage = "usage: InferenceGrpc.EchoServer [--address 127.0.0.1] [--port 8011] [--model-repository DIR] [--model NAME --input name:FP32:-1,3,48,192 ...]";
var address = IPAddress.Loopback;
var port = 8011;
var catalog = new ModelCatalog();
string? model = null;
var inputs = new List<(string, string, long[])>();
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--port":
                port = int.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture);
                break;
            case "--address":
                address = IPAddress.Parse(Value());
                break;
            case "--model-repository":
                catalog.AddRepository(Value());
                break;
            case "--model":
                model = Value();
                break;
            case "--input":
                var parts = Value().Split(':');
                inputs.Add(parts.Length == 3
                    ? (parts[0], parts[1], parts[2].Split(',').Select(d => long.Parse(d, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)).ToArray())
                    : throw new ArgumentException($"--input '{string.Join(':', parts)}' must look like name:FP32:-1,3,48,192"));
                break;
            case "--help" or "-h":
                Console.WriteLine(usage);
                return 0;
            default:
                throw new ArgumentException($"unknown flag '{args[i]}'");
        }
    }

    if (model is not null)
    {
        catalog.Add(model, inputs);
    }
    else if (inputs.Count > 0)
    {
        throw new ArgumentException("--input needs --model");
    }
}
catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException or IOException or InvalidDataException)
{
    await Console.Error.WriteLineAsync($"error: {ex.Message}\n{usage}");
    return 2;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    // Cleartext HTTP/2 only, limits as the real server's.
    kestrel.Listen(address, port, listen => listen.Protocols = HttpProtocols.Http2);
    kestrel.Limits.MaxRequestBodySize = null;
});
builder.Services.AddSingleton(catalog);
builder.Services.AddGrpc(o =>
{
    o.MaxReceiveMessageSize = 64 * 1024 * 1024;
    o.MaxSendMessageSize = 64 * 1024 * 1024;
});

var app = builder.Build();
app.MapGrpcService<EchoInferenceService>();
await app.StartAsync();
var bound = app.Urls.FirstOrDefault() ?? $"http://{address}:{port}";
Console.WriteLine($"echo server listening on {bound}; models: [{string.Join(", ", catalog.Names)}]");
await app.WaitForShutdownAsync();
return 0;
