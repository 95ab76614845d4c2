using System.Globalization;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Inference.TextFormat;
using InferenceGrpc.Core.Models;
using CoreModelConfig = InferenceGrpc.Core.Models.ModelConfig;
using ProtoModelConfig = Inference.ModelConfig;

namespace InferenceGrpc.Server.Models;

/// <summary>
/// Reads Triton's <c>config.pbtxt</c> (protobuf text format of <c>inference.ModelConfig</c>) by turning it into the JSON
/// that <see cref="ModelConfigJson"/> reads, so both files share one set of checks. Fields the server does not support
/// survive the conversion and are then rejected by <see cref="ModelConfigJson"/> as unknown, naming the field.
/// </summary>
internal static class PbtxtModelConfig
{
    public const string FileName = "config.pbtxt";

    private static readonly JsonFormatter Formatter = new(
        JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true).WithFormatEnumsAsIntegers(false));

    /// <summary>Parses a <c>config.pbtxt</c> and checks it as <see cref="ModelConfigJson.Parse"/> does.</summary>
    /// <exception cref="ModelConfigException">The text is not valid text format, or the config is not one we serve.</exception>
    public static CoreModelConfig Parse(string modelName, string pbtxt)
    {
        string json;
        try
        {
            json = ToJson(pbtxt);
        }
        catch (FormatException ex)
        {
            throw new ModelConfigException($"model '{modelName}': {FileName}: {ex.Message}");
        }

        return ModelConfigJson.Parse(modelName, json, FileName);
    }

    /// <summary>
    /// Converts a <c>config.pbtxt</c> to the JSON of <see cref="ModelConfigJson"/>: proto field names, enum names,
    /// default values left out (<see cref="ModelConfigJson"/> has the same defaults) and 64-bit integers as numbers.
    /// </summary>
    /// <exception cref="FormatException">The text is not valid text format of <c>inference.ModelConfig</c>; the message starts with <c>line L:C:</c>.</exception>
    public static string ToJson(string pbtxt)
    {
        var config = ProtoTextParser.Parse<ProtoModelConfig>(pbtxt);
        var json = JsonNode.Parse(Formatter.Format(config))!.AsObject();
        Normalize(json, ProtoModelConfig.Descriptor);

        // max_batch_size is a plain proto3 int32: Triton cannot tell "max_batch_size: 0" from no max_batch_size, and
        // neither can we. What 0 means in Triton depends on auto-complete (on unless --disable-auto-complete-config):
        // the onnxruntime backend auto-completes only when the config lacks inputs or outputs
        // (ModelState::AutoCompleteConfig: "inputs and outputs already specified" skips it), and then a max_batch_size
        // of 0 becomes --backend-config=onnxruntime,default-max-batch-size (4) when every input and output of the graph
        // has a dynamic first dimension (AutoCompleteMaxBatch). So: with both inputs and outputs listed, 0 is final and
        // is written out ("no implicit batch dimension"); otherwise it is left out, and Core completes it from the graph
        // with --default-max-batch-size, as Triton would. Core has no "auto-complete disabled" mode for this.
        var listsInputs = config.Input.Count + config.BatchInput.Count > 0;
        if (config.MaxBatchSize == 0 && listsInputs && config.Output.Count > 0)
        {
            json["max_batch_size"] = 0;
        }

        return json.ToJsonString();
    }

    /// <summary>
    /// Rewrites what proto3 JSON writes differently from <see cref="ModelConfigJson"/>: 64-bit integers are strings there
    /// ("dims": ["3"]), numbers here; and two values that proto3 JSON leaves out because they are the default, but
    /// whose absence means something else to Core.
    /// </summary>
    private static void Normalize(JsonObject json, MessageDescriptor descriptor)
    {
        foreach (var (name, node) in json.ToList())
        {
            if (node is null || descriptor.FindFieldByName(name) is not { } field)
            {
                continue;
            }

            if (field.IsMap)
            {
                var valueField = field.MessageType.FindFieldByNumber(2);
                var map = node.AsObject();
                foreach (var (key, value) in map.ToList())
                {
                    if (value is not null && Normalize(value, valueField) is { } replaced)
                    {
                        map[key] = replaced;
                    }
                }
            }
            else if (field.IsRepeated)
            {
                var list = node.AsArray();
                for (var i = 0; i < list.Count; i++)
                {
                    if (list[i] is { } value && Normalize(value, field) is { } replaced)
                    {
                        list[i] = replaced;
                    }
                }
            }
            else if (Normalize(node, field) is { } replaced)
            {
                json[name] = replaced;
            }
        }

        // ModelParameter { string_value: "" } is a parameter whose value is empty, not a parameter without a value.
        if (descriptor == Inference.ModelParameter.Descriptor && !json.ContainsKey("string_value"))
        {
            json["string_value"] = "";
        }

        // latest { } serves no version in Triton ("at least one version must be available"); Core's default for a
        // missing num_versions is 1, so say 0 and let Core reject it.
        if (descriptor == Inference.ModelVersionPolicy.Types.Latest.Descriptor && !json.ContainsKey("num_versions"))
        {
            json["num_versions"] = 0;
        }
    }

    /// <summary>The node to put in place of <paramref name="node"/>, or null to keep it (messages are rewritten in place).</summary>
    private static JsonNode? Normalize(JsonNode node, FieldDescriptor field)
    {
        switch (field.FieldType)
        {
            case FieldType.Message when node is JsonObject message:
                Normalize(message, field.MessageType);
                return null;
            case FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 when node is JsonValue v && v.TryGetValue<string>(out var s):
                return JsonValue.Create(long.Parse(s, CultureInfo.InvariantCulture));
            case FieldType.UInt64 or FieldType.Fixed64 when node is JsonValue v && v.TryGetValue<string>(out var s):
                return JsonValue.Create(ulong.Parse(s, CultureInfo.InvariantCulture));
            default:
                return null;
        }
    }
}
