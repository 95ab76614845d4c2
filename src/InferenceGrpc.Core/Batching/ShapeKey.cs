namespace InferenceGrpc.Core.Batching;

/// <summary>Whether two requests may share a batch: every input has the same shape after the batch dimension.</summary>
internal static class ShapeKey
{
    public static bool SameRows(PendingInference a, PendingInference b, bool batched)
    {
        if (!batched)
        {
            return false;   // a model without a batch dimension runs one request at a time
        }

        var inputs = a.Request.Inputs;
        var others = b.Request.Inputs;
        for (var i = 0; i < inputs.Count; i++)
        {
            var other = Tensors.TensorLookup.IndexOf(others, inputs[i].Name);
            if (other < 0 || !a.RowShape(i, batched).SequenceEqual(b.RowShape(other, batched)))
            {
                return false;
            }
        }

        return true;
    }
}
