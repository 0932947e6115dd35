namespace MlNetDigits.Data;

public sealed partial class DataOperationsCatalog
{
    /// <summary>The two halves of a split: rows to train on and rows to test on.</summary>
    public sealed class TrainTestData
    {
        internal TrainTestData(IDataView trainSet, IDataView testSet)
        {
            TrainSet = trainSet;
            TestSet = testSet;
        }

        /// <summary>The rows not drawn for testing, in their input order.</summary>
        public IDataView TrainSet { get; }

        /// <summary>The rows drawn for testing, in their input order.</summary>
        public IDataView TestSet { get; }

        public void Deconstruct(out IDataView trainSet, out IDataView testSet)
        {
            trainSet = TrainSet;
            testSet = TestSet;
        }
    }

    /// <summary>
    /// Splits <paramref name="data"/> into a train set and a test set of about <paramref name="testFraction"/> of the rows,
    /// drawn with <paramref name="seed"/>; both keep the input order and annotations and are lazy (the rows are chosen on
    /// the first pass that needs them).
    /// </summary>
    /// <remarks>
    /// By default exactly round(n × testFraction) rows, chosen uniformly, go to the test set. With
    /// <paramref name="samplingKeyColumnName"/>, rows that share a value of that column stay together: round(g × testFraction)
    /// of the g distinct values are drawn, and their rows form the test set. With <paramref name="stratificationColumnName"/>
    /// (e.g. "Label"), each class contributes round(nₖ × testFraction) of its nₖ rows, so both sets keep the class
    /// proportions. The same seed and data give the same split.
    /// </remarks>
    /// <param name="data">The rows to split.</param>
    /// <param name="testFraction">The share of rows for the test set, strictly between 0 and 1.</param>
    /// <param name="samplingKeyColumnName">A scalar column whose equal values must land on the same side, or null.</param>
    /// <param name="seed">The seed of the draw; null takes the context's next seed.</param>
    /// <param name="stratificationColumnName">A scalar column (a label) whose classes keep their proportions, or null.</param>
    public TrainTestData TrainTestSplit(IDataView data, double testFraction = 0.1, string? samplingKeyColumnName = null,
        int? seed = null, string? stratificationColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must be strictly between 0 and 1.");
        if (samplingKeyColumnName is not null && stratificationColumnName is not null)
            throw new ArgumentException(
                "Give either a sampling key column (rows sharing a key stay together) or a stratification column (classes keep their proportions), not both.");
        var groupColumnName = samplingKeyColumnName ?? stratificationColumnName;
        var groupColumn = groupColumnName is null ? null : RequireScalarColumn(data.Schema, groupColumnName,
            samplingKeyColumnName is not null ? nameof(samplingKeyColumnName) : nameof(stratificationColumnName));
        var drawSeed = seed ?? Context.NextSeed();

        // isTest: (rows,) true for the rows of the test set.
        var isTest = new Lazy<bool[]>(() => groupColumn is null
            ? DrawUniform(CountRows(data), testFraction, drawSeed)
            : DrawByGroup(ReadGroupIds(data, groupColumn), testFraction, drawSeed, stratify: stratificationColumnName is not null));

        long? testCountWithoutPass = null;
        if (groupColumn is null && data.GetRowCount() is { } n)
            testCountWithoutPass = (long)Math.Round(n * testFraction);
        long? CountOf(bool test)
        {
            if (isTest.IsValueCreated)
                return isTest.Value.LongCount(t => t == test);
            return testCountWithoutPass is { } t ? (test ? t : data.GetRowCount()!.Value - t) : null;
        }

        IDataView Half(bool test) => new RowFilterDataView(data,
            cursor =>
            {
                var mask = isTest.Value;
                return () => cursor.Position < mask.Length
                    ? mask[cursor.Position] == test
                    : throw new InvalidOperationException(
                        $"The data view gave more rows than the {mask.Length} it had when the split was drawn; split data that gives the same rows on every pass (Cache it first).");
            },
            [], () => CountOf(test));
        return new TrainTestData(Half(test: false), Half(test: true));
    }

    private static DataViewSchema.Column RequireScalarColumn(DataViewSchema schema, string name, string parameter)
    {
        var column = schema.GetColumnOrNull(name) ?? throw new ArgumentOutOfRangeException(parameter,
            $"Column '{name}' not found. Available columns: {schema.DescribeNames()}.");
        if (column.Type is not PrimitiveDataViewType)
            throw new ArgumentException($"Column '{name}' is {column.Type}; splitting by it needs a scalar column (a label, a key, an id).", parameter);
        return column;
    }

    private static int CountRows(IDataView data)
    {
        long count = data.GetRowCount() ?? -1;
        if (count < 0)
        {
            count = 0;
            using var cursor = data.GetRowCursor([]);
            while (cursor.MoveNext())
                count++;
        }
        if (count > Array.MaxLength)
            throw new InvalidOperationException($"TrainTestSplit supports at most {Array.MaxLength} rows; the data view has {count}.");
        return (int)count;
    }

    /// <summary>Marks round(rows × fraction) rows drawn uniformly (a partial Fisher-Yates shuffle).</summary>
    private static bool[] DrawUniform(int rows, double fraction, int seed)
    {
        var isTest = new bool[rows];
        var order = Enumerable.Range(0, rows).ToArray();
        var rand = new Random(seed);
        var testCount = (int)Math.Round(rows * fraction);
        for (int i = 0; i < testCount; i++)
        {
            var j = rand.Next(i, rows);
            (order[i], order[j]) = (order[j], order[i]);
            isTest[order[i]] = true;
        }
        return isTest;
    }

    /// <summary>
    /// Marks test rows from per-row group ids (0..g-1, numbered in order of first appearance). Stratified: round(nₖ × fraction)
    /// rows of each group k. Otherwise: every row of round(g × fraction) groups drawn uniformly.
    /// </summary>
    private static bool[] DrawByGroup(int[] groupOfRow, double fraction, int seed, bool stratify)
    {
        var isTest = new bool[groupOfRow.Length];
        var rand = new Random(seed);
        var groupCount = groupOfRow.Length == 0 ? 0 : groupOfRow.Max() + 1;
        if (!stratify)
        {
            var groupIsTest = DrawUniform(groupCount, fraction, rand.Next());
            for (int r = 0; r < groupOfRow.Length; r++)
                isTest[r] = groupIsTest[groupOfRow[r]];
            return isTest;
        }
        var rowsOfGroup = new List<int>[groupCount];
        for (int g = 0; g < groupCount; g++)
            rowsOfGroup[g] = [];
        for (int r = 0; r < groupOfRow.Length; r++)
            rowsOfGroup[groupOfRow[r]].Add(r);
        foreach (var rows in rowsOfGroup)
        {
            var chosen = DrawUniform(rows.Count, fraction, rand.Next());
            for (int i = 0; i < rows.Count; i++)
                isTest[rows[i]] = chosen[i];
        }
        return isTest;
    }

    /// <summary>One pass over <paramref name="column"/>: the group id of each row, numbering values by first appearance.</summary>
    private static int[] ReadGroupIds(IDataView data, DataViewSchema.Column column)
    {
        var read = typeof(DataOperationsCatalog).GetMethod(nameof(ReadGroupIdsOf), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(column.Type.RawType);
        return (int[])read.Invoke(null, [data, column])!;
    }

    private static int[] ReadGroupIdsOf<T>(IDataView data, DataViewSchema.Column column) where T : notnull
    {
        var ids = new List<int>((int)Math.Min(data.GetRowCount() ?? 0, Array.MaxLength));
        var idOfValue = new Dictionary<T, int>();
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        while (cursor.MoveNext())
        {
            getter(ref value!);
            // A null string joins the empty one; values are compared as stored (NaN equals NaN for double keys).
            T key = value is null ? (T)(object)string.Empty! : value;
            if (!idOfValue.TryGetValue(key, out var id))
                idOfValue.Add(key, id = idOfValue.Count);
            ids.Add(id);
        }
        return [.. ids];
    }
}
