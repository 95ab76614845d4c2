using InferenceGrpc.TestModels;

namespace InferenceGrpc.Server.Tests.Infrastructure;

/// <summary>
/// The server shared by every test of <see cref="ServerCollection"/>, over a repository of every kind of model:
/// an identity model per datatype, AddSub, two versions of one model, fixed and free shapes, a model that fails at run time,
/// a model without versions, a broken model file, a broken config, and the bundled text_direction classifier. Strict readiness is off, so the server is
/// ready despite the broken ones.
/// </summary>
public sealed class ServerFixture : ServerFixtureBase
{
    private protected override void Populate(TestRepository repository)
    {
        foreach (var sample in Datatypes.All)
        {
            repository.AddModel(ModelNames.Identity(sample.Wire), TestModelFactory.Identity(sample.Kind, [null, 4]));
        }

        repository
            .AddModel(ModelNames.IdentityFp32AnyLength, TestModelFactory.Identity(TensorElementKind.Float, [null, null]))
            .AddModel(ModelNames.AnyShape, TestModelFactory.Identity(TensorElementKind.Float, [null, null, null]))
            .AddConfig(ModelNames.AnyShape, """{"max_batch_size": 0}""")
            .AddModel(ModelNames.Simple, TestModelFactory.AddSub(TensorElementKind.Float))
            .AddConfig(ModelNames.Simple, """{"max_batch_size": 8}""")
            .AddModel(ModelNames.Scale, TestModelFactory.Scale(1f), version: 1)
            .AddModel(ModelNames.Scale, TestModelFactory.Scale(2f), version: 2)
            .AddConfig(ModelNames.Scale, """{"version_policy": {"all": {}}}""")
            .AddModel(ModelNames.NoBatch, TestModelFactory.Identity(TensorElementKind.Float, [2, 3]))
            .AddConfig(ModelNames.NoBatch, """{"max_batch_size": 0}""")
            .AddModel(ModelNames.AddSubAnyLength, TestModelFactory.AddSub(TensorElementKind.Float, [null, null]))
            .AddConfig(ModelNames.NoVersions, "{}")
            .AddModel(ModelNames.Broken, TestModelFactory.Corrupt())
            .AddModel(ModelNames.BadConfig, TestModelFactory.Identity(TensorElementKind.Float, [null, 4]))
            .AddConfig(ModelNames.BadConfig, """{"max_batch_size": "eight", """)
            .CopyBundledModel(ModelNames.TextDirection);
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "Server";
}
