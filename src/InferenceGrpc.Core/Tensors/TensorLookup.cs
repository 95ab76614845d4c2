namespace InferenceGrpc.Core.Tensors;

/// <summary>
/// Finds a tensor of a request or a result by name. Lists are a handful of tensors, so a loop beats a dictionary,
/// and it allocates nothing on the request path (no LINQ delegate or enumerator).
/// </summary>
public static class TensorLookup
{
    /// <summary>The position of <paramref name="name"/> in <paramref name="tensors"/>, or -1.</summary>
    public static int IndexOf(IReadOnlyList<InputTensor> tensors, string name)
    {
        for (var i = 0; i < tensors.Count; i++)
        {
            if (tensors[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The position of <paramref name="name"/> in <paramref name="tensors"/>, or -1.</summary>
    public static int IndexOf(IReadOnlyList<OutputTensor> tensors, string name)
    {
        for (var i = 0; i < tensors.Count; i++)
        {
            if (tensors[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The input named <paramref name="name"/>, or null.</summary>
    public static InputTensor? Find(IReadOnlyList<InputTensor> tensors, string name) =>
        IndexOf(tensors, name) is var i and >= 0 ? tensors[i] : null;

    /// <summary>The output named <paramref name="name"/>, or null.</summary>
    public static OutputTensor? Find(IReadOnlyList<OutputTensor> tensors, string name) =>
        IndexOf(tensors, name) is var i and >= 0 ? tensors[i] : null;
}
