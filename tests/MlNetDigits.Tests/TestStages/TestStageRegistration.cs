using MlNetDigits.Model;

namespace MlNetDigits.Tests.TestStages;

/// <summary>Registers the test-only stages with <see cref="ModelStageRegistry"/> (idempotent), so model files can load them.</summary>
public static class TestStageRegistration
{
    private static readonly Lazy<bool> Registered = new(() =>
    {
        ModelStageRegistry.Register(typeof(TestStageRegistration).Assembly);
        return true;
    });

    public static void Ensure() => _ = Registered.Value;
}
