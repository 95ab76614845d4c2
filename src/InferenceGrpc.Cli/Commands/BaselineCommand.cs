using System.Buffers.Binary;
using System.CommandLine;
using Grpc.Core;
using Inference;
using InferenceGrpc.Cli.Inputs;
using InferenceGrpc.Client;
using InferenceGrpc.Core.Monitoring.Drift;
using InferenceGrpc.Core.Tensors;
using DataType = InferenceGrpc.Core.Tensors.DataType;

namespace InferenceGrpc.Cli.Commands;

/// <summary>
/// <c>baseline</c>: computes a model version's drift baseline (baseline.json) from a training dataset. Input features
/// come from the file; with <c>--server</c> the rows are also run through the served model to record its reference
/// predictions (its inputs' names, datatypes and shapes then come from the model's metadata too).
/// </summary>
internal static class BaselineCommand
{
    public static Command Create(ClientFactory factory)
    {
        var data = new Option<string>("--data", "-d")
        {
            Description = "Training dataset: .csv (header, one row per line, every column a feature of one input), .jsonl (one object per row: input name to values) or .npy (first axis = rows).",
            Required = true,
        };
        var output = new Option<string>("--out", "-o") { Description = "Where to write the baseline (default: baseline.json).", DefaultValueFactory = _ => DriftBaseline.FileName };
        var server = new Option<string>("--server", "-s") { Description = "Also record the model's predictions: run the rows through this server (default: inputs only)." };
        var model = new Option<string>("--model", "-m") { Description = "Model name (needed with --server)." };
        var version = new Option<string>("--model-version") { Description = "Model version (default: the server's choice)." };
        var inputName = new Option<string>("--input-name") { Description = "Input name for a .csv or .npy dataset (default: the model's only input; 'input' without --server)." };
        var bins = new Option<int>("--bins") { Description = "PSI bins per feature (default: 10, deciles).", DefaultValueFactory = _ => BaselineBuilder.DefaultBins };
        var quantiles = new Option<int>("--quantiles") { Description = "Quantile points per feature for KS (default: 101, every percentile).", DefaultValueFactory = _ => BaselineBuilder.DefaultQuantiles };
        var maxFeatures = new Option<int>("--max-features") { Description = "Features per input, from position 0 (default: 4096); the server monitors only these.", DefaultValueFactory = _ => 4096 };
        var predictions = new Option<string>("--predictions")
        {
            Description = "Reference predictions instead of --server: one row per dataset row, as .csv (every column an element of one output), .jsonl (output name to values) or .npy.",
        };
        var outputName = new Option<string>("--output-name") { Description = "Output name for a .csv or .npy --predictions file (default: 'output')." };
        var batch = new Option<int>("--batch-size") { Description = "Rows per request with --server, for models that batch (default: 32).", DefaultValueFactory = _ => 32 };

        var command = new Command("baseline", "Compute a drift baseline (baseline.json) from a training dataset.")
        {
            data, output, server, model, version, inputName, bins, quantiles, maxFeatures, batch, predictions, outputName,
        };
        command.SetAction((parse, ct) => RunAsync(
            new Arguments(parse.GetRequiredValue(data), parse.GetValue(output) ?? DriftBaseline.FileName, parse.GetValue(server), parse.GetValue(model),
                parse.GetValue(version) ?? "", parse.GetValue(inputName), parse.GetValue(bins), parse.GetValue(quantiles),
                parse.GetValue(maxFeatures), parse.GetValue(batch), parse.GetValue(predictions), parse.GetValue(outputName)),
            factory, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct));
        return command;
    }

    private sealed record Arguments(
        string Data, string Out, string? Server, string? Model, string Version, string? InputName, int Bins, int Quantiles, int MaxFeatures, int BatchSize,
        string? Predictions, string? OutputName);

    private static async Task<int> RunAsync(Arguments args, ClientFactory factory, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (args.Server is not null && args.Model is null)
        {
            error.WriteLine("error: --server needs --model (the model whose predictions to record)");
            return ExitCodes.BadInput;
        }

        if (args.Server is not null && args.Predictions is not null)
        {
            error.WriteLine("error: --server and --predictions both give the reference predictions; pass one");
            return ExitCodes.BadInput;
        }

        if (args.MaxFeatures < 1 || args.BatchSize < 1)
        {
            error.WriteLine($"error: --max-features and --batch-size must be 1 or more, got {args.MaxFeatures} and {args.BatchSize}");
            return ExitCodes.BadInput;
        }

        IReadOnlyList<DatasetInput> dataset;
        try
        {
            dataset = DatasetReader.Load(args.Data);
            if (dataset.Select(d => d.Rows).Distinct().Count() != 1)
            {
                throw new InputFileException("every input must have the same number of rows");
            }
        }
        catch (InputFileException ex)
        {
            error.WriteLine($"error: {args.Data}: {ex.Message}");
            return ExitCodes.BadInput;
        }

        try
        {
            DriftBaseline baseline;
            if (args.Server is null)
            {
                var outputs = args.Predictions is null ? [] : PredictionsFromFile(args.Predictions, dataset[0].Rows, args);
                baseline = new DriftBaseline(dataset[0].Rows, Inputs(Named(dataset, args.InputName ?? "input"), args), outputs);
            }
            else
            {
                using var client = CommonOptions.TryCreateClient(factory, args.Server, error);
                if (client is null)
                {
                    return ExitCodes.BadInput;
                }

                var metadata = await client.ModelMetadataAsync(args.Model!, args.Version, ct).ConfigureAwait(false);
                var named = Named(dataset, args.InputName ?? (metadata.Inputs.Count == 1 ? metadata.Inputs[0].Name : null));
                CheckLayout(named, metadata);
                var outputs = await PredictAsync(client, named, metadata, args, ct).ConfigureAwait(false);
                baseline = new DriftBaseline(dataset[0].Rows, Inputs(named, args), outputs);
            }

            await File.WriteAllTextAsync(args.Out, DriftBaselineJson.Write(baseline), ct).ConfigureAwait(false);
            output.WriteLine($"{args.Out}: {baseline.Rows} rows, {baseline.Inputs.Sum(i => i.Features.Count)} features, {baseline.Outputs.Count} outputs");
            return ExitCodes.Success;
        }
        catch (Exception ex) when (ex is InputFileException or DriftBaselineException)
        {
            error.WriteLine($"error: {args.Data}: {ex.Message}");
            return ExitCodes.BadInput;
        }
        catch (RpcException ex)
        {
            return CommonOptions.ReportRpcError(ex, error);
        }
        catch (IOException ex)
        {
            error.WriteLine($"error: cannot write {args.Out}: {ex.Message}");
            return ExitCodes.BadInput;
        }
    }

    /// <summary>Summarises a file of reference predictions, one row per dataset row.</summary>
    private static OutputBaseline[] PredictionsFromFile(string path, int rows, Arguments args)
    {
        IReadOnlyList<DatasetInput> file;
        try
        {
            file = DatasetReader.Load(path);
        }
        catch (InputFileException ex)
        {
            throw new InputFileException($"{path}: {ex.Message}");
        }

        return file.Select(o =>
        {
            if (o.Rows != rows)
            {
                throw new InputFileException($"{path}: expected {rows} prediction rows (one per dataset row), got {o.Rows}");
            }

            var name = o.Name ?? args.OutputName ?? "output";
            var kind = o.RowElements >= 2 ? PredictionKind.Classes : PredictionKind.Scores;
            var summaries = new double[rows];
            for (var r = 0; r < rows; r++)
            {
                summaries[r] = BaselineBuilder.Summarise(kind, o.Values.AsSpan(r * o.RowElements, o.RowElements));
            }

            return kind == PredictionKind.Classes
                ? BaselineBuilder.Classes(name, summaries.Select(c => (int)c).ToArray(), o.RowElements)
                : BaselineBuilder.Scores(name, summaries, args.Bins);
        }).ToArray();
    }

    /// <summary>Gives a name to the dataset's unnamed input (CSV, .npy).</summary>
    private static IReadOnlyList<DatasetInput> Named(IReadOnlyList<DatasetInput> dataset, string? name)
    {
        if (dataset.All(d => d.Name is not null))
        {
            return dataset;
        }

        return name is null
            ? throw new InputFileException("the model does not have exactly one input; pass --input-name to name the dataset's input")
            : dataset.Select(d => d with { Name = name }).ToArray();
    }

    private static void CheckLayout(IReadOnlyList<DatasetInput> dataset, ModelMetadataResponse metadata)
    {
        foreach (var input in dataset)
        {
            var spec = metadata.Inputs.FirstOrDefault(i => i.Name == input.Name)
                ?? throw new InputFileException($"'{input.Name}' is not an input of the model (expected one of {string.Join(", ", metadata.Inputs.Select(i => i.Name))})");
            var rowElements = RowShape(spec.Shape).Aggregate(1L, (a, b) => a * b);
            if (rowElements != input.RowElements)
            {
                throw new InputFileException($"input '{input.Name}': expected {rowElements} values per row (shape {TensorShape.Format(spec.Shape.ToArray())}), got {input.RowElements}");
            }
        }
    }

    private static InputBaseline[] Inputs(IReadOnlyList<DatasetInput> dataset, Arguments args) =>
        dataset.Select(input =>
        {
            var features = new FeatureBaseline[Math.Min(input.RowElements, args.MaxFeatures)];
            var column = new double[input.Rows];
            for (var f = 0; f < features.Length; f++)
            {
                for (var r = 0; r < input.Rows; r++)
                {
                    column[r] = input.Values[(r * input.RowElements) + f];
                }

                try
                {
                    features[f] = BaselineBuilder.Feature(f, column, args.Bins, args.Quantiles);
                }
                catch (DriftBaselineException ex)
                {
                    throw new DriftBaselineException($"input '{input.Name}': {ex.Message}");
                }
            }

            return new InputBaseline(input.Name!, features);
        }).ToArray();

    /// <summary>Runs every row through the model and summarises each numeric output's predictions.</summary>
    private static async Task<OutputBaseline[]> PredictAsync(
        InferenceClient client, IReadOnlyList<DatasetInput> dataset, ModelMetadataResponse metadata, Arguments args, CancellationToken ct)
    {
        // A model that batches shows -1 first; one that does not takes exactly one row of its full shape.
        var batches = metadata.Inputs.All(i => i.Shape.Count > 0 && i.Shape[0] == -1);
        var rows = dataset[0].Rows;
        var step = batches ? args.BatchSize : 1;
        var outputs = metadata.Outputs.Where(o => DataTypes.TryParseWireName(o.Datatype, out var t) && NumericElements.IsNumeric(t)).ToArray();
        var summaries = outputs.Select(_ => new List<double>(rows)).ToArray();
        var kinds = new PredictionKind?[outputs.Length];
        var classes = new int[outputs.Length];
        for (var start = 0; start < rows; start += step)
        {
            var count = Math.Min(step, rows - start);
            var builder = new InferRequestBuilder(args.Model!, args.Version);
            foreach (var input in dataset)
            {
                var spec = metadata.Inputs.First(i => i.Name == input.Name);
                var rowShape = RowShape(spec.Shape);
                long[] shape = batches ? [count, .. rowShape] : [.. spec.Shape];
                builder.AddRawInput(input.Name!, spec.Datatype, shape,
                    Raw(spec.Datatype, input.Values.AsSpan(start * input.RowElements, count * input.RowElements)));
            }

            foreach (var o in outputs)
            {
                builder.RequestOutput(o.Name);
            }

            var result = await client.InferAsync(builder.Build(), ct).ConfigureAwait(false);
            for (var o = 0; o < outputs.Length; o++)
            {
                DataTypes.TryParseWireName(result.GetDatatype(outputs[o].Name), out var type);
                var raw = result.Response.RawOutputContents[result.OutputNames.ToList().IndexOf(outputs[o].Name)].Span;
                var perRow = raw.Length / type.ElementSize() / count;
                kinds[o] ??= perRow >= 2 ? PredictionKind.Classes : PredictionKind.Scores;
                classes[o] = perRow;
                var row = new double[perRow];
                for (var r = 0; r < count; r++)
                {
                    for (var e = 0; e < perRow; e++)
                    {
                        row[e] = NumericElements.Read(type, raw, (r * perRow) + e);
                    }

                    summaries[o].Add(BaselineBuilder.Summarise(kinds[o]!.Value, row));
                }
            }
        }

        return outputs.Select((o, i) => kinds[i] == PredictionKind.Classes
            ? BaselineBuilder.Classes(o.Name, summaries[i].Select(c => (int)c).ToArray(), classes[i])
            : BaselineBuilder.Scores(o.Name, summaries[i].ToArray(), args.Bins)).ToArray();
    }

    private static long[] RowShape(IReadOnlyList<long> shape) =>
        shape.Count > 0 && shape[0] == -1 ? shape.Skip(1).ToArray() : shape.ToArray();

    /// <summary>Values as the input's wire datatype, little-endian.</summary>
    private static byte[] Raw(string datatype, ReadOnlySpan<double> values)
    {
        if (!DataTypes.TryParseWireName(datatype, out var type) || !NumericElements.IsNumeric(type))
        {
            throw new InputFileException($"the model's input datatype {datatype} is not numeric");
        }

        var size = type.ElementSize();
        var raw = new byte[values.Length * size];
        for (var i = 0; i < values.Length; i++)
        {
            var at = raw.AsSpan(i * size);
            var v = values[i];
            switch (type)
            {
                case DataType.Fp32: BinaryPrimitives.WriteSingleLittleEndian(at, (float)v); break;
                case DataType.Fp64: BinaryPrimitives.WriteDoubleLittleEndian(at, v); break;
                case DataType.Fp16: BinaryPrimitives.WriteHalfLittleEndian(at, (Half)v); break;
                case DataType.Bf16: BinaryPrimitives.WriteUInt16LittleEndian(at, BFloat16.FromSingle((float)v)); break;
                case DataType.Bool or DataType.UInt8: at[0] = (byte)v; break;
                case DataType.Int8: at[0] = (byte)(sbyte)v; break;
                case DataType.UInt16: BinaryPrimitives.WriteUInt16LittleEndian(at, (ushort)v); break;
                case DataType.Int16: BinaryPrimitives.WriteInt16LittleEndian(at, (short)v); break;
                case DataType.UInt32: BinaryPrimitives.WriteUInt32LittleEndian(at, (uint)v); break;
                case DataType.Int32: BinaryPrimitives.WriteInt32LittleEndian(at, (int)v); break;
                case DataType.UInt64: BinaryPrimitives.WriteUInt64LittleEndian(at, (ulong)v); break;
                default: BinaryPrimitives.WriteInt64LittleEndian(at, (long)v); break;
            }
        }

        return raw;
    }
}
