using InferenceGrpc.Server.Tests.Infrastructure;
using InferenceGrpc.TestModels;

namespace InferenceGrpc.Server.Tests.Ensembles;

/// <summary>
/// A server with ensembles over generated ONNX models: <see cref="Pipeline"/> runs Scale(×2) then AddSub(scaled, x),
/// so SUM = 3x and DIFF = x, batched (max_batch_size 8, config.json); <see cref="UnbatchedPipeline"/> is the same
/// pipeline without a batch dimension (config.pbtxt); plus ensembles that cannot load, the bundled text_direction
/// classifier with its labels, and a BYTES identity model.
/// </summary>
public sealed class EnsembleFixture : ServerFixtureBase
{
    public const string Scale = "ens_scale";
    public const string AddSub = "ens_addsub";
    public const string Pipeline = "ens_pipeline";
    public const string UnbatchedPipeline = "ens_pipeline_unbatched";
    public const string MissingStep = "ens_missing_step";
    public const string Cycle = "ens_cycle";
    public const string TextDirection = "text_direction";
    public const string IdentityBytes = "ens_identity_bytes";

    /// <summary>Labels of <see cref="Pipeline"/>'s SUM: one per column.</summary>
    public static readonly string[] SumLabels = ["first", "second", "third", "fourth"];

    private const string Steps = """
        "ensemble_scheduling": { "step": [
          { "model_name": "ens_scale", "model_version": -1, "input_map": { "INPUT0": "IN" }, "output_map": { "OUTPUT0": "scaled" } },
          { "model_name": "ens_addsub", "input_map": { "INPUT0": "scaled", "INPUT1": "IN" }, "output_map": { "OUTPUT0": "SUM", "OUTPUT1": "DIFF" } }
        ] }
        """;

    private protected override void Populate(TestRepository repository) => Write(repository);

    /// <summary>Writes this fixture's models into <paramref name="repository"/> (other fixtures reuse them).</summary>
    internal static void Write(TestRepository repository)
    {
        repository
            .AddModel(Scale, TestModelFactory.Scale(2f))
            .AddConfig(Scale, """{"max_batch_size": 8}""")
            .AddModel(AddSub, TestModelFactory.AddSub(TensorElementKind.Float, [null, 4]))
            .AddConfig(AddSub, """{"max_batch_size": 8}""")
            .AddModel(IdentityBytes, TestModelFactory.Identity(TensorElementKind.String, [null, 4]))
            .CopyBundledModel(TextDirection);

        AddEnsemble(repository, Pipeline, "config.json", $$"""
            {
              "platform": "ensemble",
              "max_batch_size": 8,
              "input": [{ "name": "IN", "data_type": "TYPE_FP32", "dims": [4] }],
              "output": [
                { "name": "SUM", "data_type": "TYPE_FP32", "dims": [4], "label_filename": "sum_labels.txt" },
                { "name": "DIFF", "data_type": "TYPE_FP32", "dims": [4] }
              ],
              {{Steps}}
            }
            """);
        File.WriteAllLines(Path.Combine(repository.Root, Pipeline, "sum_labels.txt"), SumLabels);

        AddEnsemble(repository, UnbatchedPipeline, "config.pbtxt", """
            platform: "ensemble"
            input [ { name: "IN" data_type: TYPE_FP32 dims: [ -1, 4 ] } ]
            output [
              { name: "SUM" data_type: TYPE_FP32 dims: [ -1, 4 ] },
              { name: "DIFF" data_type: TYPE_FP32 dims: [ -1, 4 ] }
            ]
            ensemble_scheduling {
              step [
                { model_name: "ens_scale" input_map { key: "INPUT0" value: "IN" } output_map { key: "OUTPUT0" value: "scaled" } },
                { model_name: "ens_addsub" input_map [ { key: "INPUT0" value: "scaled" }, { key: "INPUT1" value: "IN" } ]
                  output_map [ { key: "OUTPUT0" value: "SUM" }, { key: "OUTPUT1" value: "DIFF" } ] }
              ]
            }
            """);

        AddEnsemble(repository, MissingStep, "config.json", """
            {
              "platform": "ensemble",
              "input": [{ "name": "IN", "data_type": "TYPE_FP32", "dims": [4] }],
              "output": [{ "name": "OUT", "data_type": "TYPE_FP32", "dims": [4] }],
              "ensemble_scheduling": { "step": [{ "model_name": "ghost", "input_map": { "INPUT0": "IN" }, "output_map": { "OUTPUT0": "OUT" } }] }
            }
            """);

        AddEnsemble(repository, Cycle, "config.json", """
            {
              "platform": "ensemble",
              "max_batch_size": 8,
              "input": [{ "name": "IN", "data_type": "TYPE_FP32", "dims": [4] }],
              "output": [{ "name": "OUT", "data_type": "TYPE_FP32", "dims": [4] }],
              "ensemble_scheduling": { "step": [
                { "model_name": "ens_scale", "input_map": { "INPUT0": "B" }, "output_map": { "OUTPUT0": "A" } },
                { "model_name": "ens_addsub", "input_map": { "INPUT0": "A", "INPUT1": "IN" }, "output_map": { "OUTPUT0": "B", "OUTPUT1": "OUT" } }
              ] }
            }
            """);
    }

    /// <summary>An ensemble folder as Triton wants it: the config and an empty version folder.</summary>
    private static void AddEnsemble(TestRepository repository, string name, string file, string config)
    {
        Directory.CreateDirectory(Path.Combine(repository.Root, name, "1"));
        File.WriteAllText(Path.Combine(repository.Root, name, file), config);
    }
}
