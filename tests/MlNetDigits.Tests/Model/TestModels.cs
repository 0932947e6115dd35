using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Tests.Contracts;
using MlNetDigits.Tests.TestStages;

namespace MlNetDigits.Tests.Model;

/// <summary>Fitted test chains and their data, for model-file tests.</summary>
internal static class TestModels
{
    /// <summary>A fitted chain (learned scale, then arg-max key) and the data it was fitted on.</summary>
    public static (TransformerChain<TestArgMaxTransformer> Model, InMemoryDataView Data) FittedChain()
    {
        TestStageRegistration.Ensure();
        var data = EstimatorCases.Features(2, 3);
        var model = new TestScaleEstimator("Scaled", "Features").Append(new TestArgMaxEstimator("Top", "Scaled")).Fit(data);
        return (model, data);
    }

    /// <summary>The bytes of <see cref="FittedChain"/> saved with its input schema.</summary>
    public static byte[] SavedChain()
    {
        var (model, data) = FittedChain();
        using var ms = new MemoryStream();
        new DigitsContext(seed: 1).Model.Save(model, data.Schema, ms);
        return ms.ToArray();
    }
}
