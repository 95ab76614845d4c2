using InferenceGrpc.Core.Ensembles;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.Server.Models;

namespace InferenceGrpc.Server.Hosting.Tests.Models;

/// <summary>Triton ensemble configs (<c>config.pbtxt</c>) read as Triton writes them, and their load-time checks.</summary>
public sealed class PbtxtEnsembleConfigTests
{
    /// <summary>The shape of Triton's own ensemble examples: a preprocessing model feeding a classifier.</summary>
    private const string Pipeline = """
        name: "pipeline"
        platform: "ensemble"
        max_batch_size: 8
        input [ { name: "RAW" data_type: TYPE_FP32 dims: [ 4 ] } ]
        output [ { name: "PROBS" data_type: TYPE_FP32 dims: [ 4 ] label_filename: "labels.txt" } ]
        ensemble_scheduling {
          step [
            {
              model_name: "preprocess"
              model_version: -1
              input_map { key: "X" value: "RAW" }
              output_map { key: "Y" value: "pre_out" }
            },
            {
              model_name: "classifier"
              model_version: 2
              input_map { key: "INPUT0" value: "pre_out" }
              output_map { key: "OUTPUT0" value: "PROBS" }
            }
          ]
        }
        """;

    private static readonly ModelSignature Preprocess = new(8, [new("X", DataType.Fp32, [4])], [new("Y", DataType.Fp32, [4])]);
    private static readonly ModelSignature Classifier = new(16, [new("INPUT0", DataType.Fp32, [4])], [new("OUTPUT0", DataType.Fp32, [4])]);

    private static StepModel Lookup(EnsembleStep step) => step.ModelName switch
    {
        "preprocess" => new(Preprocess, null),
        "classifier" => new(Classifier, null),
        _ => new(null, "is not loaded"),
    };

    private static EnsemblePlan Build(string pbtxt)
    {
        var config = PbtxtModelConfig.Parse("pipeline", pbtxt);
        return EnsemblePlan.Build("pipeline", EnsemblePlan.Signature(config), config.Ensemble!, Lookup);
    }

    [Fact]
    public void Parse_TritonEnsemble_ReadsStepsVersionsAndMaps()
    {
        var config = PbtxtModelConfig.Parse("pipeline", Pipeline);

        Assert.Equal(ModelConfig.EnsemblePlatform, config.Platform);
        Assert.Equal(8, config.MaxBatchSize);
        var steps = config.Ensemble!.Steps;
        Assert.Equal(["preprocess", "classifier"], steps.Select(s => s.ModelName));
        Assert.Equal([EnsembleStep.Latest, 2L], steps.Select(s => s.ModelVersion));
        Assert.Equal("RAW", steps[0].InputMap["X"]);
        Assert.Equal("PROBS", steps[1].OutputMap["OUTPUT0"]);
        Assert.Equal("labels.txt", config.LabelFiles["PROBS"]);
    }

    [Fact]
    public void Parse_TritonEnsemble_EqualsTheSameConfigInJson()
    {
        var fromJson = ModelConfigJson.Parse("pipeline", PbtxtModelConfig.ToJson(Pipeline));
        var fromPbtxt = PbtxtModelConfig.Parse("pipeline", Pipeline);

        Assert.Equal(fromJson.Ensemble!.Steps.Select(s => (s.ModelName, s.ModelVersion, string.Join(",", s.InputMap), string.Join(",", s.OutputMap))),
            fromPbtxt.Ensemble!.Steps.Select(s => (s.ModelName, s.ModelVersion, string.Join(",", s.InputMap), string.Join(",", s.OutputMap))));
    }

    [Fact]
    public void Parse_StepWithoutModelVersion_IsTheLatest()
    {
        var config = PbtxtModelConfig.Parse("pipeline", Pipeline.Replace("model_version: 2", "", StringComparison.Ordinal));

        Assert.Equal(EnsembleStep.Latest, config.Ensemble!.Steps[1].ModelVersion);
    }

    [Fact]
    public void Build_TritonEnsemble_ChainsTheSteps()
    {
        var plan = Build(Pipeline);

        Assert.Equal([0, 1], plan.Order);
        Assert.Equal([0], plan.Steps[1].WaitsFor);
    }

    [Fact]
    public void Build_UnknownStepModel_NamesIt()
    {
        var error = Assert.Throws<ModelConfigException>(() => Build(Pipeline.Replace("\"classifier\"", "\"ghost\"", StringComparison.Ordinal))).Message;

        Assert.Contains("step 1 (model 'ghost'): the model is not loaded", error);
    }

    [Fact]
    public void Build_MapNamesMissingTensorOfStep_NamesIt()
    {
        var error = Assert.Throws<ModelConfigException>(() => Build(Pipeline.Replace("key: \"INPUT0\"", "key: \"IMAGE\"", StringComparison.Ordinal))).Message;

        Assert.Contains("input_map names input 'IMAGE', which the model lacks; its inputs are [INPUT0]", error);
    }

    [Fact]
    public void Build_Cycle_IsRejected()
    {
        var cyclic = Pipeline.Replace("value: \"RAW\"", "value: \"PROBS\"", StringComparison.Ordinal);

        var error = Assert.Throws<ModelConfigException>(() => Build(cyclic)).Message;

        Assert.Contains("the steps form a cycle", error);
    }

    [Fact]
    public void Build_StepBatchesLessThanTheEnsemble_IsRejected()
    {
        var error = Assert.Throws<ModelConfigException>(() => Build(Pipeline.Replace("max_batch_size: 8", "max_batch_size: 12", StringComparison.Ordinal))).Message;

        Assert.Contains("step 0 (model 'preprocess'): the ensemble's max_batch_size is 12, but the model's is 8", error);
    }

    [Fact]
    public void Parse_EnsembleWithoutOutputs_NamesTheFile()
    {
        var error = Assert.Throws<ModelConfigException>(() => PbtxtModelConfig.Parse("pipeline",
            Pipeline.Replace("output [ { name: \"PROBS\" data_type: TYPE_FP32 dims: [ 4 ] label_filename: \"labels.txt\" } ]", "", StringComparison.Ordinal))).Message;

        Assert.Contains("config.pbtxt", error);
        Assert.Contains("an ensemble needs its 'output' list", error);
    }
}
