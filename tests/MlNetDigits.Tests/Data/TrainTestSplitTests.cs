using MlNetDigits.Data;

namespace MlNetDigits.Tests.Data;

public class TrainTestSplitTests
{
    [Theory]
    [InlineData(100, 0.1, 10)]
    [InlineData(1000, 0.2, 200)]
    [InlineData(7, 0.5, 4)]
    [InlineData(3, 0.01, 0)]
    public void TrainTestSplit_GivesRoundedTestSizeAndTheRestToTrain(int rows, double fraction, int expectedTest)
    {
        var context = new DigitsContext(seed: 1);

        var split = context.Data.TrainTestSplit(DataViewTestData.Digits(rows), fraction, seed: 5);

        Assert.Equal(expectedTest, split.TestSet.GetRowCount());
        Assert.Equal(rows - expectedTest, split.TrainSet.GetRowCount());
        Assert.Equal(expectedTest, DataViewTestData.ReadInts(split.TestSet).Count);
        Assert.Equal(rows - expectedTest, DataViewTestData.ReadInts(split.TrainSet).Count);
    }

    [Fact]
    public void TrainTestSplit_HalvesAreDisjointCoverTheInputAndKeepItsOrder()
    {
        var context = new DigitsContext(seed: 1);

        var (train, test) = context.Data.TrainTestSplit(DataViewTestData.Digits(500), 0.3, seed: 11);

        var trainIds = DataViewTestData.ReadInts(train);
        var testIds = DataViewTestData.ReadInts(test);
        Assert.Empty(trainIds.Intersect(testIds));
        Assert.Equal(Enumerable.Range(0, 500), trainIds.Concat(testIds).Order());
        Assert.Equal(trainIds.Order(), trainIds);
        Assert.Equal(testIds.Order(), testIds);
    }

    [Fact]
    public void TrainTestSplit_GivesTheSameSplitForTheSameSeedAndAnotherForAnotherSeed()
    {
        var data = DataViewTestData.Digits(300);
        var context = new DigitsContext(seed: 1);

        var a = DataViewTestData.ReadInts(context.Data.TrainTestSplit(data, 0.2, seed: 3).TestSet);
        var b = DataViewTestData.ReadInts(context.Data.TrainTestSplit(data, 0.2, seed: 3).TestSet);
        var c = DataViewTestData.ReadInts(context.Data.TrainTestSplit(data, 0.2, seed: 4).TestSet);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void TrainTestSplit_WithoutSeed_FollowsTheContextSeed()
    {
        var data = DataViewTestData.Digits(300);

        var a = DataViewTestData.ReadInts(new DigitsContext(seed: 8).Data.TrainTestSplit(data, 0.2).TestSet);
        var b = DataViewTestData.ReadInts(new DigitsContext(seed: 8).Data.TrainTestSplit(data, 0.2).TestSet);
        var c = DataViewTestData.ReadInts(new DigitsContext(seed: 9).Data.TrainTestSplit(data, 0.2).TestSet);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void TrainTestSplit_Stratified_KeepsEachClassProportion()
    {
        // 3 classes of 100, 200 and 700 rows, interleaved.
        var labels = Enumerable.Range(0, 1000).Select(i => (uint)(i % 10 == 0 ? 0 : i % 10 <= 2 ? 1 : 2)).ToArray();
        var data = new InMemoryDataView.Builder()
            .AddScalar("Id", NumberDataViewType.Int32, Enumerable.Range(0, 1000).ToArray())
            .AddScalar("Label", NumberDataViewType.UInt32, labels)
            .Build();
        var context = new DigitsContext(seed: 1);

        var split = context.Data.TrainTestSplit(data, 0.25, seed: 2, stratificationColumnName: "Label");

        var testCounts = DataViewTestData.ReadUInts(split.TestSet).CountBy(l => l).ToDictionary();
        var trainCounts = DataViewTestData.ReadUInts(split.TrainSet).CountBy(l => l).ToDictionary();
        Assert.Equal(25, testCounts[0]);
        Assert.Equal(50, testCounts[1]);
        Assert.Equal(175, testCounts[2]);
        Assert.Equal(75, trainCounts[0]);
        Assert.Equal(150, trainCounts[1]);
        Assert.Equal(525, trainCounts[2]);
    }

    [Fact]
    public void TrainTestSplit_Stratified_IsDeterministicAndDisjoint()
    {
        var data = DataViewTestData.Digits(400);
        var context = new DigitsContext(seed: 1);

        var a = context.Data.TrainTestSplit(data, 0.1, seed: 6, stratificationColumnName: "Label");
        var b = context.Data.TrainTestSplit(data, 0.1, seed: 6, stratificationColumnName: "Label");

        Assert.Equal(DataViewTestData.ReadInts(a.TestSet), DataViewTestData.ReadInts(b.TestSet));
        Assert.Empty(DataViewTestData.ReadInts(a.TestSet).Intersect(DataViewTestData.ReadInts(a.TrainSet)));
        Assert.All(DataViewTestData.ReadUInts(a.TestSet).CountBy(l => l), kv => Assert.Equal(4, kv.Value));
    }

    [Fact]
    public void TrainTestSplit_WithSamplingKey_KeepsRowsOfOneKeyTogether()
    {
        // Label as the key: 10 groups of 30 rows; 30% of the groups go to test.
        var data = DataViewTestData.Digits(300);
        var context = new DigitsContext(seed: 1);

        var split = context.Data.TrainTestSplit(data, 0.3, samplingKeyColumnName: "Label", seed: 1);

        var testLabels = DataViewTestData.ReadUInts(split.TestSet).ToHashSet();
        var trainLabels = DataViewTestData.ReadUInts(split.TrainSet).ToHashSet();
        Assert.Equal(3, testLabels.Count);
        Assert.Equal(7, trainLabels.Count);
        Assert.Empty(testLabels.Intersect(trainLabels));
        Assert.Equal(90, DataViewTestData.ReadInts(split.TestSet).Count);
    }

    [Fact]
    public void TrainTestSplit_KeepsTheSchemaAndItsAnnotations()
    {
        var data = DataViewTestData.Digits(20);
        var split = new DigitsContext(seed: 1).Data.TrainTestSplit(data, 0.5, seed: 1);

        Assert.Same(data.Schema, split.TrainSet.Schema);
        Assert.Equal((1, 2, 2), split.TestSet.Schema["Image"].Annotations.GetImageShape());
        var byId = DataViewTestData.ReadAll(data).ToDictionary(r => r.Id);
        Assert.All(DataViewTestData.ReadAll(split.TestSet), r => Assert.Equal(byId[r.Id].Image, r.Image));
    }

    [Fact]
    public void TrainTestSplit_IsLazyUntilACursorMoves()
    {
        var counting = new CountingDataView(DataViewTestData.Digits(50));

        var split = new DigitsContext(seed: 1).Data.TrainTestSplit(counting, 0.2, seed: 1, stratificationColumnName: "Label");

        Assert.Equal(0, counting.CursorsOpened);
        Assert.Null(split.TestSet.GetRowCount());
        Assert.Equal(10, DataViewTestData.ReadInts(split.TestSet).Count);
        Assert.Equal(10, split.TestSet.GetRowCount());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    public void TrainTestSplit_ThrowsGivenAFractionOutsideZeroToOne(double fraction)
    {
        var context = new DigitsContext(seed: 1);

        Assert.Throws<ArgumentOutOfRangeException>(() => context.Data.TrainTestSplit(DataViewTestData.Digits(10), fraction));
    }

    [Fact]
    public void TrainTestSplit_ThrowsNamingAMissingStratificationColumn()
    {
        var context = new DigitsContext(seed: 1);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            context.Data.TrainTestSplit(DataViewTestData.Digits(10), stratificationColumnName: "Digit"));

        Assert.Contains("'Digit' not found", ex.Message);
        Assert.Contains("'Label'", ex.Message);
    }

    [Fact]
    public void TrainTestSplit_ThrowsGivenAVectorStratificationColumn()
    {
        var context = new DigitsContext(seed: 1);

        var ex = Assert.Throws<ArgumentException>(() =>
            context.Data.TrainTestSplit(DataViewTestData.Digits(10), stratificationColumnName: "Image"));

        Assert.Contains("scalar", ex.Message);
    }
}
