using System.Globalization;
using System.Reflection;
using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Tests.TestStages;

namespace MlNetDigits.Tests.Contracts;

/// <summary>
/// The contract every estimator of the library must meet, checked on given data:
/// 1. input that does not fit fails with a <see cref="SchemaException"/> from <c>GetOutputSchema</c> and from <c>Fit</c>,
///    before any row is read;
/// 2. the predicted output <see cref="SchemaShape"/> matches the schema of the data the fitted transformer produces;
/// 3. saving the fitted transformer to a model file and loading it back gives the same values in every column of every row.
/// </summary>
public static class EstimatorContract
{
    public static void Check(IEstimator<ITransformer> estimator, IDataView validData, IDataView invalidData)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        TestStageRegistration.Ensure();
        var context = new DigitsContext(seed: 1);

        // 1. Invalid input: a schema error, raised before a single row is read.
        Assert.Throws<SchemaException>(() => estimator.GetOutputSchema(SchemaShape.Create(invalidData.Schema)));
        Assert.Throws<SchemaException>(() => estimator.Fit(new RowGuardDataView(invalidData)));

        // 2. The predicted shape is the actual one.
        var predicted = estimator.GetOutputSchema(SchemaShape.Create(validData.Schema));
        var transformer = estimator.Fit(validData);
        var output = transformer.Transform(validData);
        AssertSameShape(predicted, SchemaShape.Create(output.Schema));

        // 3. A save/load round trip changes nothing.
        using var stream = new MemoryStream();
        context.Model.Save(transformer, validData.Schema, stream);
        stream.Position = 0;
        var loaded = context.Model.Load(stream, out var loadedSchema);
        Assert.Equal(Describe(validData.Schema), Describe(loadedSchema));
        AssertSameData(output, loaded.Transform(validData));
    }

    /// <summary>Asserts that two shapes have the same columns; unknown dimensions or key counts in <paramref name="predicted"/> match any.</summary>
    public static void AssertSameShape(SchemaShape predicted, SchemaShape actual)
    {
        var predictedNames = predicted.Select(c => c.Name).Order(StringComparer.Ordinal).ToList();
        var actualNames = actual.Select(c => c.Name).Order(StringComparer.Ordinal).ToList();
        Assert.True(predictedNames.SequenceEqual(actualNames),
            $"Predicted columns [{string.Join(", ", predictedNames)}] but the output has [{string.Join(", ", actualNames)}].");
        foreach (var p in predicted)
        {
            actual.TryFindColumn(p.Name, out var a);
            var where = $"Column '{p.Name}': predicted {p.DescribeType()} [{string.Join(", ", p.AnnotationKinds)}], actual {a.DescribeType()} [{string.Join(", ", a.AnnotationKinds)}].";
            Assert.True(p.Kind == a.Kind, where);
            Assert.True(p.IsKey == a.IsKey, where);
            var sameItem = p.ItemType is KeyDataViewType || !p.IsKey ? p.ItemType.Equals(a.ItemType) : a.ItemType is KeyDataViewType;
            Assert.True(sameItem, where);
            Assert.True(p.Dimensions.IsDefaultOrEmpty || p.Dimensions.SequenceEqual(a.Dimensions), where);
            Assert.True(p.AnnotationKinds.ToHashSet().SetEquals(a.AnnotationKinds), where);
        }
    }

    /// <summary>Asserts that two views have the same visible columns (names, types) and the same values, row by row (floats bit for bit).</summary>
    public static void AssertSameData(IDataView expected, IDataView actual)
    {
        Assert.Equal(Describe(expected.Schema), Describe(actual.Schema));
        var expectedRows = ReadRows(expected);
        var actualRows = ReadRows(actual);
        Assert.Equal(expectedRows.Count, actualRows.Count);
        for (int i = 0; i < expectedRows.Count; i++)
            Assert.True(expectedRows[i] == actualRows[i], $"Row {i} differs.\nexpected: {expectedRows[i]}\nactual:   {actualRows[i]}");
    }

    /// <summary>The visible columns as "name: type" lines.</summary>
    public static string Describe(DataViewSchema schema) =>
        string.Join("\n", schema.Where(c => !c.IsHidden).Select(c => $"{c.Name}: {c.Type}"));

    /// <summary>Every row as one line of canonical text (floats as their bits), visible columns only.</summary>
    public static List<string> ReadRows(IDataView data)
    {
        var columns = data.Schema.Where(c => !c.IsHidden).ToList();
        var rows = new List<string>();
        using var cursor = data.GetRowCursor(columns);
        var readers = columns.Select(c => MakeReader(cursor, c)).ToList();
        while (cursor.MoveNext())
            rows.Add(string.Join(" | ", readers.Select(r => r())));
        return rows;
    }

    private static Func<string> MakeReader(DataViewRow row, DataViewSchema.Column column)
    {
        var (name, type) = column.Type is VectorDataViewType v
            ? (nameof(MakeVectorReader), v.ItemType.RawType)
            : (nameof(MakeScalarReader), column.Type.RawType);
        var method = typeof(EstimatorContract).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type);
        return (Func<string>)method.Invoke(null, [row, column])!;
    }

    private static Func<string> MakeScalarReader<T>(DataViewRow row, DataViewSchema.Column column)
    {
        var get = row.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            get(ref value);
            return Canonical(value);
        };
    }

    private static Func<string> MakeVectorReader<T>(DataViewRow row, DataViewSchema.Column column)
    {
        var get = row.GetGetter<VBuffer<T>>(column);
        var value = default(VBuffer<T>);
        return () =>
        {
            get(ref value);
            return "[" + string.Join(", ", value.ToArray().Select(Canonical)) + "]";
        };
    }

    private static string Canonical<T>(T value) => value switch
    {
        float f => $"{f.ToString("R", CultureInfo.InvariantCulture)}(0x{BitConverter.SingleToInt32Bits(f):X8})",
        double d => $"{d.ToString("R", CultureInfo.InvariantCulture)}(0x{BitConverter.DoubleToInt64Bits(d):X16})",
        string s => $"\"{s}\"",
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "null",
    };

    /// <summary>A view whose rows may not be read: fitting on it must fail on the schema alone.</summary>
    private sealed class RowGuardDataView(IDataView inner) : IDataView
    {
        public DataViewSchema Schema => inner.Schema;

        public bool CanShuffle => inner.CanShuffle;

        public long? GetRowCount() => inner.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
            throw new InvalidOperationException("The estimator read rows of invalid data instead of rejecting its schema first.");
    }
}
