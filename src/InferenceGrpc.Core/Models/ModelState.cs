namespace InferenceGrpc.Core.Models;

/// <summary>A model version's lifecycle, with Triton's state names.</summary>
public enum ModelState
{
    Loading,
    Ready,
    Unavailable,
    Unloading,
}

public static class ModelStates
{
    /// <summary>The state as Triton's RepositoryIndex spells it.</summary>
    public static string ToWireName(this ModelState state) => state switch
    {
        ModelState.Loading => "LOADING",
        ModelState.Ready => "READY",
        ModelState.Unloading => "UNLOADING",
        _ => "UNAVAILABLE",
    };
}
