using System.CommandLine;
using InferenceGrpc.LoadGen.Commands;

var root = new RootCommand(
    "loadgen: load generator for Open Inference Protocol gRPC servers, with the in-process ONNX Runtime ceiling, charts and summaries.")
{
    GrpcCommand.Create(),
    InProcessCommand.Create(),
    ChartCommand.Create(),
    SummaryCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
