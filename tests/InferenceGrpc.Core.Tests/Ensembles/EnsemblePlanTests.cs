using InferenceGrpc.Core.Ensembles;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;

namespace InferenceGrpc.Core.Tests.Ensembles;

/// <summary>
/// An ensemble config.json parsed and its plan built against the fake step models of <see cref="StepModels"/>:
/// each load-time check, and the DAG that a valid one compiles to.
/// </summary>
public sealed class EnsemblePlanTests
{
    private const string DiamondSteps = """
        { "model_name": "scale2", "model_version": -1, "input_map": { "X": "IN" }, "output_map": { "Y": "D" } },
        { "model_name": "plus1", "input_map": { "X": "IN" }, "output_map": { "Y": "P" } },
        { "model_name": "add", "input_map": { "A": "D", "B": "P" }, "output_map": { "SUM": "OUT" } }
        """;

    private static string Config(string steps, string inputType = "TYPE_FP32", string outputs = """{ "name": "OUT", "data_type": "TYPE_FP32", "dims": [4] }""", int maxBatchSize = 0) => $$"""
        {
          "platform": "ensemble",
          "max_batch_size": {{maxBatchSize}},
          "input": [{ "name": "IN", "data_type": "{{inputType}}", "dims": [4] }],
          "output": [{{outputs}}],
          "ensemble_scheduling": { "step": [ {{steps}} ] }
        }
        """;

    private static EnsemblePlan Build(string json)
    {
        var config = ModelConfigJson.Parse("ens", json);
        return EnsemblePlan.Build("ens", EnsemblePlan.Signature(config), config.Ensemble!, StepModels.Lookup);
    }

    private static string BuildError(string json) => Assert.Throws<ModelConfigException>(() => Build(json)).Message;

    private static string ParseError(string json) => Assert.Throws<ModelConfigException>(() => ModelConfigJson.Parse("ens", json)).Message;

    [Fact]
    public void Parse_EnsembleConfig_ReadsPlatformStepsAndMaps()
    {
        var config = ModelConfigJson.Parse("ens", Config(DiamondSteps));

        Assert.Equal(ModelConfig.EnsemblePlatform, config.Platform);
        var steps = config.Ensemble!.Steps;
        Assert.Equal(["scale2", "plus1", "add"], steps.Select(s => s.ModelName));
        Assert.All(steps, s => Assert.Equal(EnsembleStep.Latest, s.ModelVersion));
        Assert.Equal("D", steps[2].InputMap["A"]);
        Assert.Equal("OUT", steps[2].OutputMap["SUM"]);
    }

    [Fact]
    public void Build_Diamond_OrdersProducersFirstAndCountsConsumers()
    {
        var plan = Build(Config(DiamondSteps));

        Assert.Equal(2, plan.Order[^1]);
        Assert.Equal([0, 1], plan.Steps[2].WaitsFor);
        Assert.Empty(plan.Steps[0].WaitsFor);
        Assert.Equal(1, plan.Steps[0].Consumers);
        Assert.Equal(0, plan.Steps[2].Consumers);
        Assert.Equal(2, plan.Producer("OUT"));
    }

    [Fact]
    public void StepsFor_OneBranchsOutput_NeedsOnlyThatBranch()
    {
        var config = ModelConfigJson.Parse("ens", Config(DiamondSteps,
            outputs: """{ "name": "OUT", "data_type": "TYPE_FP32", "dims": [4] }, { "name": "P", "data_type": "TYPE_FP32", "dims": [4] }"""));
        var plan = EnsemblePlan.Build("ens", EnsemblePlan.Signature(config), config.Ensemble!, StepModels.Lookup);

        Assert.Equal([false, true, false], plan.StepsFor(["P"]));
        Assert.Equal([true, true, true], plan.StepsFor(["OUT"]));
    }

    [Fact]
    public void Build_StepsListedConsumerFirst_StillOrdersProducersFirst()
    {
        const string steps = """
            { "model_name": "add", "input_map": { "A": "D", "B": "P" }, "output_map": { "SUM": "OUT" } },
            { "model_name": "plus1", "input_map": { "X": "IN" }, "output_map": { "Y": "P" } },
            { "model_name": "scale2", "input_map": { "X": "IN" }, "output_map": { "Y": "D" } }
            """;

        var plan = Build(Config(steps));

        Assert.Equal(0, plan.Order[^1]);
    }

    [Fact]
    public void Build_UnknownStepModel_NamesStepAndModel()
    {
        var error = BuildError(Config("""{ "model_name": "missing", "input_map": { "X": "IN" }, "output_map": { "Y": "OUT" } }"""));

        Assert.Contains("step 0 (model 'missing')", error);
        Assert.Contains("is not loaded", error);
    }

    [Fact]
    public void Build_InputMapNamesInputTheModelLacks_SaysWhichItHas()
    {
        var error = BuildError(Config("""{ "model_name": "scale2", "input_map": { "X": "IN", "Z": "IN" }, "output_map": { "Y": "OUT" } }"""));

        Assert.Contains("input_map names input 'Z', which the model lacks; its inputs are [X]", error);
    }

    [Fact]
    public void Build_OutputMapNamesOutputTheModelLacks_SaysWhichItHas()
    {
        var error = BuildError(Config("""
            { "model_name": "scale2", "input_map": { "X": "IN" }, "output_map": { "Y": "OUT", "W": "EXTRA" } }
            """));

        Assert.Contains("output_map names output 'W', which the model lacks; its outputs are [Y]", error);
    }

    [Fact]
    public void Build_StepInputLeftUnmapped_NamesIt()
    {
        var error = BuildError(Config("""{ "model_name": "add", "input_map": { "A": "IN" }, "output_map": { "SUM": "OUT" } }"""));

        Assert.Contains("step 0 (model 'add'): the model's input 'B' is not in input_map", error);
    }

    [Fact]
    public void Build_TensorNothingProduces_NamesIt()
    {
        var error = BuildError(Config("""{ "model_name": "scale2", "input_map": { "X": "NOWHERE" }, "output_map": { "Y": "OUT" } }"""));

        Assert.Contains("reads ensemble tensor 'NOWHERE', which nothing produces", error);
    }

    [Fact]
    public void Build_TensorProducedTwice_NamesBothSteps()
    {
        var error = BuildError(Config("""
            { "model_name": "scale2", "input_map": { "X": "IN" }, "output_map": { "Y": "OUT" } },
            { "model_name": "plus1", "input_map": { "X": "IN" }, "output_map": { "Y": "OUT" } }
            """));

        Assert.Contains("step 1 (model 'plus1'): output_map writes 'OUT', which step 0 (model 'scale2') produces too", error);
    }

    [Fact]
    public void Build_Cycle_NamesTheStepsOnIt()
    {
        var error = BuildError(Config("""
            { "model_name": "scale2", "input_map": { "X": "B" }, "output_map": { "Y": "A" } },
            { "model_name": "plus1", "input_map": { "X": "A" }, "output_map": { "Y": "B" } },
            { "model_name": "add", "input_map": { "A": "IN", "B": "IN" }, "output_map": { "SUM": "OUT" } }
            """));

        Assert.Contains("the steps form a cycle", error);
        Assert.Contains("step 0 (model 'scale2'), step 1 (model 'plus1')", error);
        Assert.DoesNotContain("step 2", error);
    }

    [Fact]
    public void Build_StepReadsItsOwnOutput_IsACycle()
    {
        var error = BuildError(Config("""
            { "model_name": "add", "input_map": { "A": "IN", "B": "OUT" }, "output_map": { "SUM": "OUT" } }
            """));

        Assert.Contains("the steps form a cycle", error);
    }

    [Fact]
    public void Build_OutputNeverProduced_NamesIt()
    {
        var error = BuildError(Config(
            """{ "model_name": "scale2", "input_map": { "X": "IN" }, "output_map": { "Y": "OUT" } }""",
            outputs: """{ "name": "OUT", "data_type": "TYPE_FP32", "dims": [4] }, { "name": "LOST", "data_type": "TYPE_FP32", "dims": [4] }"""));

        Assert.Contains("ensemble output 'LOST' is never produced", error);
    }

    [Fact]
    public void Build_EnsembleInputOfOtherType_NamesBothTypes()
    {
        var error = BuildError(Config("""{ "model_name": "scale2", "input_map": { "X": "IN" }, "output_map": { "Y": "OUT" } }""", inputType: "TYPE_INT32"));

        Assert.Contains("input 'X' is FP32, but ensemble tensor 'IN' is INT32 (an ensemble input)", error);
    }

    [Fact]
    public void Build_OutputDeclaredOfOtherType_NamesBothTypes()
    {
        var error = BuildError(Config(
            """{ "model_name": "scale2", "input_map": { "X": "IN" }, "output_map": { "Y": "OUT" } }""",
            outputs: """{ "name": "OUT", "data_type": "TYPE_FP64", "dims": [4] }"""));

        Assert.Contains("ensemble output 'OUT' is declared FP64, but step 0 (model 'scale2') produces FP32", error);
    }

    [Fact]
    public void Build_EnsembleBatchesButStepDoesNot_SaysBothMaxBatchSizes()
    {
        var error = BuildError(Config("""{ "model_name": "scale2", "input_map": { "X": "IN" }, "output_map": { "Y": "OUT" } }""", maxBatchSize: 8));

        Assert.Contains("the ensemble's max_batch_size is 8, but the model's is 0", error);
    }

    [Fact]
    public void Build_SeveralProblems_ListsEach()
    {
        var error = BuildError(Config("""
            { "model_name": "missing", "input_map": { "X": "IN" }, "output_map": { "Y": "T" } },
            { "model_name": "scale2", "input_map": { "X": "NOWHERE" }, "output_map": { "Y": "OUT" } }
            """));

        Assert.Contains("model 'missing'", error);
        Assert.Contains("'NOWHERE'", error);
    }

    [Fact]
    public void Parse_EnsembleWithoutInputs_IsRejected() =>
        Assert.Contains("an ensemble needs its 'input' list", ParseError("""
            { "platform": "ensemble", "output": [{ "name": "OUT", "data_type": "TYPE_FP32", "dims": [4] }],
              "ensemble_scheduling": { "step": [{ "model_name": "scale2", "input_map": { "X": "IN" }, "output_map": { "Y": "OUT" } }] } }
            """));

    [Fact]
    public void Parse_EnsembleWithoutSteps_IsRejected() =>
        Assert.Contains("needs 'ensemble_scheduling' with at least one 'step'", ParseError(Config("")));

    [Fact]
    public void Parse_SchedulingWithoutEnsemblePlatform_IsRejected() =>
        Assert.Contains("'ensemble_scheduling' needs 'platform: \"ensemble\"'", ParseError("""
            { "ensemble_scheduling": { "step": [{ "model_name": "scale2", "input_map": { "X": "IN" }, "output_map": { "Y": "OUT" } }] } }
            """));

    [Fact]
    public void Parse_StepVersionZero_IsRejected() =>
        Assert.Contains("'model_version' must be -1 (latest) or a version of 1 or more, got 0",
            ParseError(Config("""{ "model_name": "scale2", "model_version": 0, "input_map": { "X": "IN" }, "output_map": { "Y": "OUT" } }""")));

    [Fact]
    public void Parse_StepWithoutOutputMap_IsRejected() =>
        Assert.Contains("needs a non-empty 'input_map' and 'output_map'",
            ParseError(Config("""{ "model_name": "scale2", "input_map": { "X": "IN" } }""")));

    [Fact]
    public void Parse_EnsembleWithInstanceGroup_IsRejected() =>
        Assert.Contains("an ensemble takes no 'instance_group' or 'dynamic_batching'",
            ParseError(Config(DiamondSteps).Replace("\"platform\"", "\"instance_group\": [{ \"count\": 2 }], \"platform\"", StringComparison.Ordinal)));

    [Fact]
    public void Parse_UnknownPlatform_NamesBothServed() =>
        Assert.Contains("only 'onnxruntime_onnx' and 'ensemble' are served", ParseError("""{ "platform": "tensorrt_plan" }"""));

    [Fact]
    public void Parse_LabelFilename_IsKeptPerOutput()
    {
        var config = ModelConfigJson.Parse("m", """{ "output": [{ "name": "P", "data_type": "TYPE_FP32", "dims": [2], "label_filename": "labels.txt" }] }""");

        Assert.Equal("labels.txt", config.LabelFiles["P"]);
    }

    [Theory]
    [InlineData("../labels.txt")]
    [InlineData("")]
    public void Parse_LabelFilenameNotAPlainName_IsRejected(string file) =>
        Assert.Contains("'label_filename' must be a plain file name", ParseError(
            $$"""{ "output": [{ "name": "P", "data_type": "TYPE_FP32", "dims": [2], "label_filename": "{{file}}" }] }"""));

    [Fact]
    public void Parse_LabelFilenameOnInput_IsRejected() =>
        Assert.Contains("input 'X' has a 'label_filename'", ParseError(
            """{ "input": [{ "name": "X", "data_type": "TYPE_FP32", "dims": [2], "label_filename": "l.txt" }] }"""));

    [Fact]
    public void Signature_EnsembleConfig_IsItsOwnInputsAndOutputs()
    {
        var signature = EnsemblePlan.Signature(ModelConfigJson.Parse("ens", Config(DiamondSteps, maxBatchSize: 4)));

        Assert.Equal(4, signature.MaxBatchSize);
        Assert.Equal(DataType.Fp32, Assert.Single(signature.Inputs).DataType);
        Assert.Equal(["OUT"], signature.OutputNames);
    }
}
