using Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using CoreConfig = InferenceGrpc.Core.Models.ModelConfig;
using CoreDataType = InferenceGrpc.Core.Tensors.DataType;
using WireConfig = Inference.ModelConfig;
using WireDataType = Inference.DataType;

namespace InferenceGrpc.Server.Protocol;

/// <summary>
/// The effective configuration as Triton's <c>ModelConfig</c>: what the config file says, completed from the
/// graph of a loaded version when there is one.
/// </summary>
internal static class ModelConfigMapper
{
    public static WireConfig ToWire(CoreConfig config, ModelSignature? signature)
    {
        var wire = new WireConfig
        {
            Name = config.Name,
            Platform = config.Platform,
            Backend = "onnxruntime",
            MaxBatchSize = signature?.MaxBatchSize ?? config.MaxBatchSize ?? 0,
            DefaultModelFilename = config.ModelFileName,
            VersionPolicy = VersionPolicy(config.VersionPolicy),
        };

        foreach (var input in signature?.Inputs ?? config.Inputs ?? [])
        {
            var tensor = new ModelInput { Name = input.Name, DataType = ToWire(input.DataType) };
            tensor.Dims.Add(input.Dims);
            wire.Input.Add(tensor);
        }

        foreach (var output in signature?.Outputs ?? config.Outputs ?? [])
        {
            var tensor = new ModelOutput { Name = output.Name, DataType = ToWire(output.DataType) };
            tensor.Dims.Add(output.Dims);
            tensor.LabelFilename = config.LabelFiles.GetValueOrDefault(output.Name, "");
            wire.Output.Add(tensor);
        }

        for (var i = 0; i < config.InstanceGroups.Count; i++)
        {
            var group = config.InstanceGroups[i];
            var wireGroup = new ModelInstanceGroup
            {
                Name = $"{config.Name}_{i}",
                Count = group.Count,
                Kind = group.Kind switch
                {
                    ExecutionKind.Cpu => ModelInstanceGroup.Types.Kind.Cpu,
                    ExecutionKind.Gpu => ModelInstanceGroup.Types.Kind.Gpu,
                    _ => ModelInstanceGroup.Types.Kind.Auto,
                },
            };
            wireGroup.Gpus.Add(group.Gpus);
            wire.InstanceGroup.Add(wireGroup);
        }

        foreach (var (key, value) in config.Parameters)
        {
            wire.Parameters[key] = new ModelParameter { StringValue = value };
        }

        if (config.Ensemble is { } ensemble)
        {
            wire.Backend = "";
            wire.EnsembleScheduling = Ensemble(ensemble);
        }

        return wire;
    }

    public static WireDataType ToWire(CoreDataType type) => type switch
    {
        CoreDataType.Bool => WireDataType.TypeBool,
        CoreDataType.UInt8 => WireDataType.TypeUint8,
        CoreDataType.UInt16 => WireDataType.TypeUint16,
        CoreDataType.UInt32 => WireDataType.TypeUint32,
        CoreDataType.UInt64 => WireDataType.TypeUint64,
        CoreDataType.Int8 => WireDataType.TypeInt8,
        CoreDataType.Int16 => WireDataType.TypeInt16,
        CoreDataType.Int32 => WireDataType.TypeInt32,
        CoreDataType.Int64 => WireDataType.TypeInt64,
        CoreDataType.Fp16 => WireDataType.TypeFp16,
        CoreDataType.Bf16 => WireDataType.TypeBf16,
        CoreDataType.Fp32 => WireDataType.TypeFp32,
        CoreDataType.Fp64 => WireDataType.TypeFp64,
        CoreDataType.Bytes => WireDataType.TypeString,
        _ => WireDataType.TypeInvalid,
    };

    private static ModelEnsembling Ensemble(Core.Ensembles.EnsembleScheduling ensemble)
    {
        var wire = new ModelEnsembling();
        foreach (var step in ensemble.Steps)
        {
            var wireStep = new ModelEnsembling.Types.Step { ModelName = step.ModelName, ModelVersion = step.ModelVersion };
            wireStep.InputMap.Add(step.InputMap.ToDictionary());
            wireStep.OutputMap.Add(step.OutputMap.ToDictionary());
            wire.Step.Add(wireStep);
        }

        return wire;
    }

    private static ModelVersionPolicy VersionPolicy(Core.Models.VersionPolicy policy)
    {
        var wire = new ModelVersionPolicy();
        switch (policy.Kind)
        {
            case VersionPolicyKind.All:
                wire.All = new ModelVersionPolicy.Types.All();
                break;
            case VersionPolicyKind.Specific:
                wire.Specific = new ModelVersionPolicy.Types.Specific();
                wire.Specific.Versions.Add(policy.Versions);
                break;
            default:
                wire.Latest = new ModelVersionPolicy.Types.Latest { NumVersions = (uint)policy.NumVersions };
                break;
        }

        return wire;
    }
}
