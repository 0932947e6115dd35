namespace MlNetDigits.Tests.Contracts;

/// <summary>Runs <see cref="EstimatorContract"/> over every estimator listed in <see cref="EstimatorCases"/>.</summary>
public sealed class EstimatorContractTests
{
    public static TheoryData<string> Estimators => [.. EstimatorCases.All.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Estimators))]
    public void Estimator_MeetsTheEstimatorContract(string name)
    {
        var c = EstimatorCases.All.Single(x => x.Name == name);
        EstimatorContract.Check(c.Create(), c.ValidData(), c.InvalidData());
    }

    [Fact]
    public void Contract_FailsWhenPredictedShapeDiffersFromOutput()
    {
        // An estimator that predicts a vector of the wrong size must be caught by the shape comparison.
        var predicted = new Core.SchemaShape([Core.SchemaShape.Column.Vector("Scaled", MlNetDigits.Data.NumberDataViewType.Single, [7])]);
        var actual = new Core.SchemaShape([Core.SchemaShape.Column.Vector("Scaled", MlNetDigits.Data.NumberDataViewType.Single, [6])]);
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => EstimatorContract.AssertSameShape(predicted, actual));
    }

    [Fact]
    public void Contract_FailsWhenLoadedModelGivesDifferentValues()
    {
        var data = EstimatorCases.Features(3);
        var a = new TestStages.TestScaleTransformer("Scaled", "Features", [1f, 2f, 3f]).Transform(data);
        var b = new TestStages.TestScaleTransformer("Scaled", "Features", [1f, 2f, 3.0000002f]).Transform(data);
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => EstimatorContract.AssertSameData(a, b));
    }
}
