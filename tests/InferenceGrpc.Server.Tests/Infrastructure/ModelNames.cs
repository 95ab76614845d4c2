namespace InferenceGrpc.Server.Tests.Infrastructure;

/// <summary>The models of <see cref="ServerFixture"/>'s repository.</summary>
internal static class ModelNames
{
    /// <summary>AddSub FP32 [batch,16]: OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1; max_batch_size 8.</summary>
    public const string Simple = "simple";

    /// <summary>FP32 [batch,4] times a factor: version 1 (factor 1) and 2 (factor 2), both served.</summary>
    public const string Scale = "scale";

    /// <summary>FP32 identity of fixed shape [2,3], max_batch_size 0.</summary>
    public const string NoBatch = "nobatch";

    /// <summary>FP32 identity [batch,-1], the default max_batch_size: any row length.</summary>
    public const string IdentityFp32AnyLength = "identity_fp32_any";

    /// <summary>FP32 identity [-1,-1,-1], max_batch_size 0: every dimension free.</summary>
    public const string AnyShape = "anyshape";

    /// <summary>AddSub FP32 [batch,-1]: the inner dimensions of the two inputs are not tied, so a request whose
    /// inputs disagree passes validation and fails inside ONNX Runtime.</summary>
    public const string AddSubAnyLength = "addsub_any";

    /// <summary>A model folder with a config but no version folder: the model is UNAVAILABLE.</summary>
    public const string NoVersions = "noversions";

    /// <summary>A model file that is not ONNX: the version is UNAVAILABLE.</summary>
    public const string Broken = "broken";

    /// <summary>A valid model with an unreadable config.json: the model is UNAVAILABLE.</summary>
    public const string BadConfig = "badconfig";

    /// <summary>The bundled PaddleOCR text direction classifier: x FP32 [-1,3,48,192] → softmax_0.tmp_0 FP32 [-1,2].</summary>
    public const string TextDirection = "text_direction";

    /// <summary>The identity model [batch,4] of a datatype: "identity_fp32", "identity_bytes", ...</summary>
    public static string Identity(string datatype) => "identity_" + datatype.ToLowerInvariant();
}
