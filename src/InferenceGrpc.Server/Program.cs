using InferenceGrpc.Server.Hosting;

return await ServerHost.RunAsync(args);
