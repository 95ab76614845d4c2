using System.Text.Json;
using System.Text.Json.Serialization;
using InferenceGrpc.Core.Batching;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Models;

/// <summary>
/// Reads our JSON model configuration (<c>config.json</c> beside the version folders). Field names and meanings are
/// those of Triton's <c>model_config.proto</c>; a field we do not know is an error, never silently ignored.
/// </summary>
public static class ModelConfigJson
{
    public const string FileName = "config.json";

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Parses and checks a config; every problem found is listed in one <see cref="ModelConfigException"/>.</summary>
    public static ModelConfig Parse(string modelName, string json, string source = FileName)
    {
        ConfigDto? dto;
        try
        {
            dto = JsonSerializer.Deserialize<ConfigDto>(json, Options);
        }
        catch (JsonException ex)
        {
            // The path ("$.input[0].format") says where; the message says what (an unknown field, a wrong type).
            var where = string.IsNullOrEmpty(ex.Path) ? "" : $" at {ex.Path}";
            throw new ModelConfigException($"model '{modelName}': {source} is not a valid model config{where}: {ex.Message}");
        }

        dto ??= new ConfigDto();
        var errors = new List<string>();
        if (dto.Name is { Length: > 0 } name && name != modelName)
        {
            errors.Add($"'name' is '{name}' but the model folder is '{modelName}'; they must agree");
        }

        if (dto.Platform is { } platform && platform != ModelConfig.OnnxPlatform && platform != ModelConfig.EnsemblePlatform)
        {
            errors.Add($"'platform' is '{platform}'; only '{ModelConfig.OnnxPlatform}' and '{ModelConfig.EnsemblePlatform}' are served");
        }

        var ensemble = Ensemble(dto, errors);

        // Which backends exist is the host's business (BackendCatalog checks it at load, naming those it has).
        if (dto.Backend is { } backend && (backend.Length == 0 || backend.Trim() != backend))
        {
            errors.Add($"'backend' must be a backend name such as 'onnxruntime', got '{backend}'");
        }

        if (dto.MaxBatchSize is < 0)
        {
            errors.Add($"'max_batch_size' must be 0 or more, got {dto.MaxBatchSize}");
        }

        var inputs = Tensors("input", dto.Input, errors);
        var outputs = Tensors("output", dto.Output, errors);
        var labelFiles = LabelFiles(dto, errors);
        var policy = Policy(dto.VersionPolicy, errors);
        var groups = Groups(dto.InstanceGroup, errors);
        var batching = Batching(dto.DynamicBatching, errors);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in dto.Parameters ?? [])
        {
            if (value.StringValue is null)
            {
                errors.Add($"parameter '{key}' needs a 'string_value'");
            }
            else
            {
                parameters[key] = value.StringValue;
            }
        }

        if (dto.DefaultModelFilename is { } file && !IsPlainFileName(file))
        {
            errors.Add($"'default_model_filename' must be a plain file name, got '{file}'");
        }

        if (errors.Count > 0)
        {
            throw new ModelConfigException($"model '{modelName}': {source}: " + string.Join("; ", errors));
        }

        var config = new ModelConfig
        {
            Name = modelName,
            MaxBatchSize = dto.MaxBatchSize,
            Inputs = inputs,
            Outputs = outputs,
            VersionPolicy = policy,
            DynamicBatching = batching,
            InstanceGroups = groups,
            ModelFileName = dto.DefaultModelFilename ?? ModelConfig.DefaultModelFileName,
            Parameters = parameters,
            Backend = dto.Backend ?? ModelConfig.OnnxBackend,

            // Metadata's platform: Triton's ONNX name for the onnxruntime backend, else the backend's own name.
            Platform = dto.Backend is { } named && named != ModelConfig.OnnxBackend ? named : ModelConfig.OnnxPlatform,
            Ensemble = ensemble,
            LabelFiles = labelFiles,
        };

        // An ensemble runs on no backend of the catalog: the loader builds its step runner instead.
        return ensemble is null ? config : config with { Platform = ModelConfig.EnsemblePlatform, Backend = ModelConfig.EnsemblePlatform };
    }

    private static bool IsPlainFileName(string file) =>
        file.Length > 0 && !file.Contains('/') && !file.Contains('\\') && file is not ("." or "..");

    private static Dictionary<string, string> LabelFiles(ConfigDto dto, List<string> errors)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var input in dto.Input ?? [])
        {
            if (input.LabelFilename is not null)
            {
                errors.Add($"input '{input.Name}' has a 'label_filename'; only outputs have labels");
            }
        }

        foreach (var output in dto.Output ?? [])
        {
            if (output.LabelFilename is not { } file || string.IsNullOrEmpty(output.Name))
            {
                continue;
            }

            if (!IsPlainFileName(file))
            {
                errors.Add($"output '{output.Name}': 'label_filename' must be a plain file name in the model folder, got '{file}'");
                continue;
            }

            files[output.Name] = file;
        }

        return files;
    }

    /// <summary>
    /// The pipeline of a <c>platform: "ensemble"</c> config. What needs the step models (their tensors, datatypes,
    /// the graph's shape) is checked at load by <see cref="Ensembles.EnsemblePlan"/>; here, only the config's own form.
    /// </summary>
    private static Ensembles.EnsembleScheduling? Ensemble(ConfigDto dto, List<string> errors)
    {
        var isEnsemble = dto.Platform == ModelConfig.EnsemblePlatform;
        if (!isEnsemble)
        {
            if (dto.EnsembleScheduling is not null)
            {
                errors.Add($"'ensemble_scheduling' needs 'platform: \"{ModelConfig.EnsemblePlatform}\"'");
            }

            return null;
        }

        // Triton requires an ensemble to declare its own inputs and outputs: they are its contract, not a graph's.
        if (dto.Input is not { Count: > 0 })
        {
            errors.Add("an ensemble needs its 'input' list (name, data_type, dims of each)");
        }

        if (dto.Output is not { Count: > 0 })
        {
            errors.Add("an ensemble needs its 'output' list (name, data_type, dims of each)");
        }

        if (dto.Backend is not null)
        {
            errors.Add($"an ensemble has no 'backend' (got '{dto.Backend}'); its steps name their models");
        }

        if (dto.InstanceGroup is { Count: > 0 } || dto.DynamicBatching is not null)
        {
            errors.Add("an ensemble takes no 'instance_group' or 'dynamic_batching': its steps' models batch and run its requests");
        }

        if (dto.EnsembleScheduling?.Step is not { Count: > 0 } steps)
        {
            errors.Add("an ensemble needs 'ensemble_scheduling' with at least one 'step'");
            return null;
        }

        var parsed = new List<Ensembles.EnsembleStep>(steps.Count);
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var where = $"ensemble_scheduling.step[{i}]";
            if (string.IsNullOrEmpty(step.ModelName))
            {
                errors.Add($"{where} needs a 'model_name'");
                continue;
            }

            var version = step.ModelVersion ?? Ensembles.EnsembleStep.Latest;
            if (version is 0 or < Ensembles.EnsembleStep.Latest)
            {
                errors.Add($"{where} (model '{step.ModelName}'): 'model_version' must be -1 (latest) or a version of 1 or more, got {version}");
            }

            if (step.InputMap is not { Count: > 0 } || step.OutputMap is not { Count: > 0 })
            {
                errors.Add($"{where} (model '{step.ModelName}') needs a non-empty 'input_map' and 'output_map'");
                continue;
            }

            if (step.InputMap.Concat(step.OutputMap).FirstOrDefault(p => p.Key.Length == 0 || p.Value.Length == 0) is { Key: not null } empty)
            {
                errors.Add($"{where} (model '{step.ModelName}') maps '{empty.Key}' to '{empty.Value}'; both names must be given");
                continue;
            }

            parsed.Add(new Ensembles.EnsembleStep(step.ModelName, version, step.InputMap, step.OutputMap));
        }

        return new Ensembles.EnsembleScheduling(parsed);
    }

    private static List<TensorSpec>? Tensors(string field, List<TensorDto>? tensors, List<string> errors)
    {
        if (tensors is null)
        {
            return null;
        }

        var specs = new List<TensorSpec>(tensors.Count);
        for (var i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            var where = $"{field}[{i}]{(string.IsNullOrEmpty(t.Name) ? "" : $" '{t.Name}'")}";
            if (string.IsNullOrEmpty(t.Name))
            {
                errors.Add($"{where} needs a 'name'");
                continue;
            }

            if (!DataTypes.TryParseConfigName(t.DataType, out var type))
            {
                errors.Add($"{where} has data_type '{t.DataType}'; expected one of {string.Join(", ", DataTypes.All.Select(d => d.ToConfigName()))}");
                continue;
            }

            if (t.Dims is null)
            {
                errors.Add($"{where} needs 'dims'");
                continue;
            }

            if (t.Dims.Any(d => d < -1))
            {
                errors.Add($"{where} has dims {TensorShape.Format(t.Dims.ToArray())}; each must be -1 (any) or 0 and more");
                continue;
            }

            specs.Add(new TensorSpec(t.Name, type, t.Dims.ToArray()));
        }

        return specs;
    }

    private static VersionPolicy Policy(VersionPolicyDto? dto, List<string> errors)
    {
        if (dto is null)
        {
            return VersionPolicy.Default;
        }

        var chosen = (dto.Latest is null ? 0 : 1) + (dto.All is null ? 0 : 1) + (dto.Specific is null ? 0 : 1);
        if (chosen != 1)
        {
            errors.Add("'version_policy' must hold exactly one of 'latest', 'all', 'specific'");
            return VersionPolicy.Default;
        }

        if (dto.Latest is { } latest)
        {
            if (latest.NumVersions < 1)
            {
                errors.Add($"'version_policy.latest.num_versions' must be 1 or more, got {latest.NumVersions}");
            }

            return new VersionPolicy(VersionPolicyKind.Latest, Math.Max(1, latest.NumVersions), []);
        }

        if (dto.Specific is { } specific)
        {
            if (specific.Versions is not { Count: > 0 } versions || versions.Any(v => v < 1))
            {
                errors.Add("'version_policy.specific.versions' must list versions of 1 or more");
                return VersionPolicy.Default;
            }

            return new VersionPolicy(VersionPolicyKind.Specific, 0, versions);
        }

        return VersionPolicy.All;
    }

    private static DynamicBatchingConfig? Batching(DynamicBatchingDto? dto, List<string> errors)
    {
        if (dto is null)
        {
            return null;
        }

        if (dto.PreferredBatchSize?.Any(p => p < 1) == true)
        {
            errors.Add("'dynamic_batching.preferred_batch_size' entries must be 1 or more");
        }

        if (dto.MaxQueueDelayMicroseconds < 0)
        {
            errors.Add($"'dynamic_batching.max_queue_delay_microseconds' must be 0 or more, got {dto.MaxQueueDelayMicroseconds}");
        }

        if (dto.DefaultQueuePolicy is { DefaultTimeoutMicroseconds: < 0 } or { MaxQueueSize: < 0 })
        {
            errors.Add("'dynamic_batching.default_queue_policy' max_queue_size and default_timeout_microseconds must be 0 or more");
        }

        if (dto.PriorityLevels is < 0 or > 1000)
        {
            errors.Add($"'dynamic_batching.priority_levels' must be 0..1000, got {dto.PriorityLevels}");
        }

        if (dto.PriorityQueuePolicy is { Count: > 0 })
        {
            errors.Add("'dynamic_batching.priority_queue_policy' is not supported; use default_queue_policy");
        }

        var queue = dto.DefaultQueuePolicy;
        if (queue?.TimeoutAction is { } action && action != "REJECT")
        {
            errors.Add($"'dynamic_batching.default_queue_policy.timeout_action' '{action}' is not supported; only REJECT");
        }

        return new DynamicBatchingConfig
        {
            PreferredBatchSizes = dto.PreferredBatchSize ?? [],
            MaxQueueDelayMicroseconds = dto.MaxQueueDelayMicroseconds,
            PriorityLevels = dto.PriorityLevels,
            DefaultPriorityLevel = dto.DefaultPriorityLevel,
            MaxQueueSize = queue?.MaxQueueSize is > 0 ? queue.MaxQueueSize : null,
            DefaultTimeoutMicroseconds = queue?.DefaultTimeoutMicroseconds ?? 0,
        };
    }

    private static List<InstanceGroup> Groups(List<InstanceGroupDto>? dtos, List<string> errors)
    {
        if (dtos is null || dtos.Count == 0)
        {
            return [];
        }

        var groups = new List<InstanceGroup>(dtos.Count);
        foreach (var g in dtos)
        {
            ExecutionKind kind;
            switch (g.Kind ?? "KIND_AUTO")
            {
                case "KIND_AUTO": kind = ExecutionKind.Auto; break;
                case "KIND_CPU": kind = ExecutionKind.Cpu; break;
                case "KIND_GPU": kind = ExecutionKind.Gpu; break;
                default:
                    errors.Add($"instance_group kind '{g.Kind}' is not one of KIND_AUTO, KIND_CPU, KIND_GPU");
                    continue;
            }

            var count = g.Count ?? 1;
            if (count < 1)
            {
                errors.Add($"instance_group count must be 1 or more, got {count}");
                continue;
            }

            if (g.Gpus is { } gpus && gpus.Any(id => id < 0))
            {
                errors.Add("instance_group gpus must be device ids of 0 or more");
                continue;
            }

            groups.Add(new InstanceGroup(count, kind, g.Gpus ?? []));
        }

        if (groups.Select(g => g.Kind).Distinct().Count() > 1)
        {
            errors.Add("instance groups of one model must share one kind (KIND_AUTO, KIND_CPU or KIND_GPU)");
        }

        return groups;
    }

    private sealed class ConfigDto
    {
        public string? Name { get; set; }
        public string? Platform { get; set; }
        public string? Backend { get; set; }
        public int? MaxBatchSize { get; set; }
        public List<TensorDto>? Input { get; set; }
        public List<TensorDto>? Output { get; set; }
        public VersionPolicyDto? VersionPolicy { get; set; }
        public List<InstanceGroupDto>? InstanceGroup { get; set; }
        public DynamicBatchingDto? DynamicBatching { get; set; }
        public Dictionary<string, ParameterDto>? Parameters { get; set; }
        public string? DefaultModelFilename { get; set; }
        public EnsembleSchedulingDto? EnsembleScheduling { get; set; }
    }

    private sealed class TensorDto
    {
        public string? Name { get; set; }
        public string? DataType { get; set; }
        public List<long>? Dims { get; set; }
        public string? LabelFilename { get; set; }
    }

    private sealed class EnsembleSchedulingDto
    {
        public List<EnsembleStepDto>? Step { get; set; }
    }

    private sealed class EnsembleStepDto
    {
        public string? ModelName { get; set; }
        public long? ModelVersion { get; set; }
        public Dictionary<string, string>? InputMap { get; set; }
        public Dictionary<string, string>? OutputMap { get; set; }
    }

    private sealed class VersionPolicyDto
    {
        public LatestDto? Latest { get; set; }
        public JsonElement? All { get; set; }
        public SpecificDto? Specific { get; set; }
    }

    private sealed class LatestDto
    {
        public int NumVersions { get; set; } = 1;
    }

    private sealed class SpecificDto
    {
        public List<long>? Versions { get; set; }
    }

    private sealed class InstanceGroupDto
    {
        public string? Name { get; set; }
        public int? Count { get; set; }
        public string? Kind { get; set; }
        public List<int>? Gpus { get; set; }
    }

    private sealed class DynamicBatchingDto
    {
        public List<int>? PreferredBatchSize { get; set; }
        public long MaxQueueDelayMicroseconds { get; set; }
        public bool PreserveOrdering { get; set; }
        public int PriorityLevels { get; set; }
        public int DefaultPriorityLevel { get; set; }
        public QueuePolicyDto? DefaultQueuePolicy { get; set; }
        public Dictionary<string, JsonElement>? PriorityQueuePolicy { get; set; }
    }

    private sealed class QueuePolicyDto
    {
        public string? TimeoutAction { get; set; }
        public long DefaultTimeoutMicroseconds { get; set; }
        public bool AllowTimeoutOverride { get; set; } = true;
        public int MaxQueueSize { get; set; }
    }

    private sealed class ParameterDto
    {
        public string? StringValue { get; set; }
    }
}
