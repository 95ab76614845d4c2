using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using Microsoft.ML.OnnxRuntime;

namespace InferenceGrpc.OnnxRuntime.Metadata;

/// <summary>Reads a session's declared inputs and outputs into Core's <see cref="ModelGraph"/>.</summary>
internal static class OnnxGraphReader
{
    /// <exception cref="ModelConfigException">An input or output is not a tensor, or has an element type the protocol cannot carry.</exception>
    public static ModelGraph Read(InferenceSession session) =>
        new(ReadAll(session.InputNames, session.InputMetadata, "input"),
            ReadAll(session.OutputNames, session.OutputMetadata, "output"));

    // The name lists keep the graph's order; the metadata dictionaries are for lookup only.
    private static TensorSpec[] ReadAll(IReadOnlyList<string> names, IReadOnlyDictionary<string, NodeMetadata> metadata, string role)
    {
        var specs = new TensorSpec[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            specs[i] = ReadOne(names[i], metadata[names[i]], role);
        }

        return specs;
    }

    private static TensorSpec ReadOne(string name, NodeMetadata node, string role)
    {
        if (node.OnnxValueType != OnnxValueType.ONNX_TYPE_TENSOR)
        {
            throw new ModelConfigException($"{role} '{name}' is a {Describe(node.OnnxValueType)}; only tensors can be served");
        }

        if (!OnnxElementTypes.TryToDataType(node.ElementDataType, out var dataType))
        {
            throw new ModelConfigException($"{role} '{name}' has element type {node.ElementDataType}, which the protocol cannot carry");
        }

        // ORT reports symbolic and unknown dimensions as -1, which is also Core's "any size".
        var dims = new long[node.Dimensions.Length];
        for (var d = 0; d < dims.Length; d++)
        {
            dims[d] = node.Dimensions[d] < 0 ? TensorShape.Dynamic : node.Dimensions[d];
        }

        return new TensorSpec(name, dataType, dims);
    }

    private static string Describe(OnnxValueType type) => type switch
    {
        OnnxValueType.ONNX_TYPE_SEQUENCE => "sequence",
        OnnxValueType.ONNX_TYPE_MAP => "map",
        OnnxValueType.ONNX_TYPE_OPTIONAL => "optional value",
        OnnxValueType.ONNX_TYPE_SPARSETENSOR => "sparse tensor",
        OnnxValueType.ONNX_TYPE_OPAQUE => "opaque value",
        _ => "non-tensor value",
    };
}
