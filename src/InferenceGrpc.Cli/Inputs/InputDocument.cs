namespace InferenceGrpc.Cli.Inputs;

/// <summary>What an input file asks for: the tensors, plus the id and outputs a JSON file may name.</summary>
internal sealed record InputDocument(string? Id, IReadOnlyList<InputTensor> Inputs, IReadOnlyList<string> Outputs);
