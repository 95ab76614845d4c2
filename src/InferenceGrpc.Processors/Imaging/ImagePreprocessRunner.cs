using InferenceGrpc.Core.Execution;
using InferenceGrpc.Core.Inference;
using InferenceGrpc.Core.Models;
using InferenceGrpc.Core.Tensors;
using InferenceGrpc.Processors.Diagnostics;
using InferenceGrpc.Processors.Execution;
using Microsoft.Extensions.Logging;
using SkiaSharp;

namespace InferenceGrpc.Processors.Imaging;

/// <summary>
/// BYTES [batch, 1] of image files → FP32 [batch, 3, height, width]. A file that is not a decodable image, or is larger
/// than <c>image.max_pixels</c>, fails with INVALID_ARGUMENT naming the input and the element; the scheduler then
/// retries the batch's requests one by one, so only the request that sent it fails, and the element is its own row.
/// </summary>
internal sealed class ImagePreprocessRunner : IModelRunner
{
    private readonly ImageSettings _settings;
    private readonly ImageTransform _transform;
    private readonly string _model;
    private readonly ILogger _logger;

    public ImagePreprocessRunner(ImageSettings settings, string model, ILogger logger)
    {
        _settings = settings;
        _transform = new ImageTransform(settings);
        _model = model;
        _logger = logger;
        Graph = new ModelGraph(
            [new TensorSpec(settings.InputName, DataType.Bytes, [-1, 1])],
            [new TensorSpec(settings.OutputName, DataType.Fp32, [-1, 3, settings.Height, settings.Width])]);
    }

    public ModelGraph Graph { get; }

    public string Device => "CPU";

    public RunResult Run(IReadOnlyList<InputTensor> inputs, IReadOnlyList<string> outputNames)
    {
        var input = ProcessorInputs.Find(inputs, _settings.InputName);
        var rows = checked((int)input.Shape[0]);
        var buffers = new OutputBuffers();
        try
        {
            var produced = new List<OutputTensor>(1);
            var output = buffers.RentZeroed<float>(_settings.OutputName, DataType.Fp32, [rows, 3, _settings.Height, _settings.Width], produced);
            var size = 3 * _settings.Height * _settings.Width;
            var row = 0;
            foreach (var element in BytesTensor.Enumerate(input.Data.Span))
            {
                if (row == rows)
                {
                    break;
                }

                if (_transform.Apply(element, output.Slice(row * size, size)) is { } problem)
                {
                    ProcessorLog.ImageRefused(_logger, _model, _settings.InputName, row, problem);
                    throw new InferenceException(InferenceErrorKind.InvalidArgument,
                        $"input '{_settings.InputName}' element {row} ({element.Length} bytes): {problem}");
                }

                row++;
            }

            return new RunResult(ProcessorInputs.InOrder(produced, outputNames), buffers);
        }
        catch
        {
            buffers.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Warm-up rows are a mid-grey PNG of the configured size: zero-length "images" would be refused (and logged as a
    /// failed warm-up on every start), while a real file warms the decoder and the resize path requests take.
    /// </summary>
    public IReadOnlyList<InputTensor>? CreateWarmUpInputs(ModelSignature signature, int batchSize)
    {
        var png = GreyPng(_settings.Width, _settings.Height);
        var rows = BytesTensor.Encode(Enumerable.Repeat(png, batchSize));
        return [new InputTensor(_settings.InputName, DataType.Bytes, [batchSize, 1], rows)];
    }

    public void Dispose()
    {
    }

    private static byte[] GreyPng(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bitmap.Erase(new SKColor(128, 128, 128));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
