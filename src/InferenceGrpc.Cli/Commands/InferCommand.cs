using System.CommandLine;
using Grpc.Core;
using InferenceGrpc.Cli.Formatting;
using InferenceGrpc.Cli.Inputs;
using InferenceGrpc.Client;

namespace InferenceGrpc.Cli.Commands;

/// <summary>
/// <c>infer</c>: send one request, read from a .json or .npy file and/or given as text and image files for BYTES inputs,
/// and print the response as JSON.
/// </summary>
internal static class InferCommand
{
    public static Command Create(ClientFactory factory)
    {
        var server = CommonOptions.Server();
        var model = new Option<string>("--model", "-m") { Description = "Model name.", Required = true };
        var version = new Option<string>("--model-version") { Description = "Model version (default: the server's choice)." };
        var input = new Option<string>("--input", "-i")
        {
            Description = "Request file: KServe v2 JSON ({\"inputs\": [{\"name\", \"datatype\", \"shape\", \"data\"}]}) or a NumPy .npy array.",
        };
        var texts = Repeatable("--text", "[NAME=]STRING: one UTF-8 row of a BYTES input (default NAME: the model's only input); repeatable.");
        var textFiles = Repeatable("--text-file", "[NAME=]PATH: each non-empty line of the file is one row of a BYTES input; repeatable.");
        var images = Repeatable("--image", "[NAME=]PATH: the image file's bytes (PNG, JPEG, ...) are one row of a BYTES input; repeatable.");
        var inputName = new Option<string>("--input-name")
        {
            Description = "Input name for a .npy file (default: the model's only input, from its metadata).",
        };
        var outputs = new Option<string[]>("--output", "-o")
        {
            Description = "Output to return; repeatable (default: as in the JSON file, else all).",
            AllowMultipleArgumentsPerToken = true,
        };
        var id = new Option<string>("--id") { Description = "Request id (overrides the JSON file's)." };
        var classification = new Option<int>("--classification", "-k")
        {
            Description = "Return the top K classes of each --output instead of the tensor, as \"score:index:label\" (Triton's classification extension).",
        };

        var command = new Command("infer", "Run one inference and print the response as JSON.")
        {
            server, model, version, input, inputName, outputs, id, texts, textFiles, images, classification,
        };
        command.SetAction((parse, ct) => RunAsync(
            new Arguments(
                parse.GetValue(server) ?? CommonOptions.DefaultServer,
                parse.GetRequiredValue(model),
                parse.GetValue(version) ?? "",
                parse.GetValue(input),
                parse.GetValue(inputName),
                parse.GetValue(outputs) ?? [],
                parse.GetValue(id),
                new BytesArguments(parse.GetValue(texts) ?? [], parse.GetValue(textFiles) ?? [], parse.GetValue(images) ?? []),
                parse.GetValue(classification)),
            factory,
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            ct));
        return command;
    }

    private static Option<string[]> Repeatable(string name, string description) =>
        new(name) { Description = description, AllowMultipleArgumentsPerToken = false };

    private sealed record Arguments(
        string Server, string Model, string Version, string? InputPath, string? InputName, string[] Outputs, string? Id, BytesArguments Bytes,
        int Classification);

    private sealed record BytesArguments(string[] Texts, string[] TextFiles, string[] Images)
    {
        public bool Any => Texts.Length + TextFiles.Length + Images.Length > 0;
    }

    private static async Task<int> RunAsync(
        Arguments args, ClientFactory factory, TextWriter output, TextWriter error, CancellationToken ct)
    {
        // Read the file before connecting: a bad file is reported without touching the server.
        if (args.InputPath is null && !args.Bytes.Any)
        {
            error.WriteLine("error: give the inputs: --input FILE, or --text, --text-file or --image for BYTES inputs");
            return ExitCodes.BadInput;
        }

        if (args.Classification < 0 || (args.Classification > 0 && args.Outputs.Length == 0))
        {
            error.WriteLine(args.Classification < 0
                ? $"error: --classification must be 1 or more, got {args.Classification}"
                : "error: --classification needs the outputs to classify: add --output NAME");
            return ExitCodes.BadInput;
        }

        InputDocument document;
        try
        {
            document = args.InputPath is null ? new InputDocument(null, [], []) : InputFiles.Load(args.InputPath);
            if (args.InputName is not null && document.Inputs.Any(t => t.Name is not null))
            {
                throw new InputFileException("--input-name applies to .npy input only; a JSON file names its inputs");
            }
        }
        catch (InputFileException ex)
        {
            error.WriteLine($"error: {args.InputPath}: {ex.Message}");
            return ExitCodes.BadInput;
        }

        IReadOnlyList<InputTensor> bytesInputs;
        try
        {
            bytesInputs = BytesInputs.Read(args.Bytes.Texts, args.Bytes.TextFiles, args.Bytes.Images);
        }
        catch (InputFileException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return ExitCodes.BadInput;
        }

        using var client = CommonOptions.TryCreateClient(factory, args.Server, error);
        if (client is null)
        {
            return ExitCodes.BadInput;
        }

        try
        {
            var builder = new InferRequestBuilder(args.Model, args.Version);
            foreach (var tensor in document.Inputs)
            {
                var name = tensor.Name ?? args.InputName ?? await SingleInputNameAsync(client, args, ct).ConfigureAwait(false);
                if (name is null)
                {
                    error.WriteLine(
                        $"error: model '{args.Model}' does not have exactly one input; pass --input-name to name the .npy input");
                    return ExitCodes.BadInput;
                }

                builder.AddRawInput(name, tensor.Datatype, tensor.Shape, tensor.Data);
            }

            foreach (var tensor in bytesInputs)
            {
                var name = tensor.Name ?? await SingleInputNameAsync(client, args, ct).ConfigureAwait(false);
                if (name is null)
                {
                    error.WriteLine($"error: model '{args.Model}' does not have exactly one input; write --text, --text-file and --image as NAME=...");
                    return ExitCodes.BadInput;
                }

                builder.AddRawInput(name, tensor.Datatype, tensor.Shape, tensor.Data);
            }

            var id = args.Id ?? document.Id;
            if (id is not null)
            {
                builder.WithId(id);
            }

            foreach (var name in args.Outputs.Length > 0 ? args.Outputs : document.Outputs)
            {
                builder.RequestOutput(name, args.Classification);
            }

            var result = await client.InferAsync(builder.Build(), ct).ConfigureAwait(false);
            output.WriteLine(OutputFormatter.Format(result));
            return ExitCodes.Success;
        }
        catch (RpcException ex)
        {
            return CommonOptions.ReportRpcError(ex, error);
        }
        catch (ArgumentException ex)
        {
            // The builder's checks: e.g. the same --output twice.
            error.WriteLine($"error: {ex.Message}");
            return ExitCodes.BadInput;
        }
        catch (InvalidOperationException ex)
        {
            error.WriteLine($"error: invalid response: {ex.Message}");
            return ExitCodes.CallFailed;
        }
    }

    private static async Task<string?> SingleInputNameAsync(InferenceClient client, Arguments args, CancellationToken ct)
    {
        var metadata = await client.ModelMetadataAsync(args.Model, args.Version, ct).ConfigureAwait(false);
        return metadata.Inputs.Count == 1 ? metadata.Inputs[0].Name : null;
    }
}
