using Microsoft.Extensions.Options;

namespace InferenceGrpc.OnnxRuntime;

/// <summary>Checks the <see cref="OnnxRuntimeOptions"/> ranges (generated), so bad settings fail at startup.</summary>
[OptionsValidator]
internal sealed partial class OnnxRuntimeOptionsValidator : IValidateOptions<OnnxRuntimeOptions>
{
}
