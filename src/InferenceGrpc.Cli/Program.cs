using InferenceGrpc.Cli;

return await CliApp.CreateRootCommand().Parse(args).InvokeAsync();
