using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Model;

namespace MlNetDigits.Tests.Transforms;

/// <summary>Small in-memory data sets and readers shared by the transform tests.</summary>
internal static class TransformTestData
{
    /// <summary>Reads scalar column <paramref name="name"/> of every row.</summary>
    public static List<T> Read<T>(IDataView data, string name)
    {
        var column = data.Schema[name];
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<T>(column);
        var values = new List<T>();
        T value = default!;
        while (cursor.MoveNext())
        {
            getter(ref value);
            values.Add(value);
        }
        return values;
    }

    /// <summary>Reads vector column <paramref name="name"/> of every row, copying each row.</summary>
    public static List<T[]> ReadVectors<T>(IDataView data, string name)
    {
        var column = data.Schema[name];
        using var cursor = data.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<T>>(column);
        var rows = new List<T[]>();
        VBuffer<T> buffer = default;
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            rows.Add(buffer.ToArray());
        }
        return rows;
    }

    /// <summary>The values of annotation <paramref name="kind"/> (a vector) of column <paramref name="name"/>.</summary>
    public static T[] AnnotationVector<T>(IDataView data, string name, string kind)
    {
        Assert.True(data.Schema[name].Annotations.TryGetValue<VBuffer<T>>(kind, out var values), $"Column '{name}' has no {kind} annotation of {typeof(T).Name}.");
        return values.ToArray();
    }

    /// <summary>
    /// Four rows of a 3-slot "Features" vector (slot 0 spans negative and positive values, slot 1 is constant, slot 2
    /// includes zero) with an ImageShape {1, 1, 3}, and a scalar "Weight".
    /// </summary>
    public static InMemoryDataView Features() => new InMemoryDataView.Builder()
        .AddVector("Features", new VectorDataViewType(NumberDataViewType.Single, 3),
        [
            -2f, 5f, 0f,
            1f, 5f, -8f,
            4f, 5f, 2f,
            3f, 5f, 4f,
        ], DataViewSchema.Annotations.Empty.WithImageShape(1, 1, 3))
        .AddScalar("Weight", NumberDataViewType.Single, new[] { 10f, 20f, 30f, 60f })
        .Build();

    /// <summary>A saved stage written into an entry dictionary and read back through the registry, as a model file does.</summary>
    public static T SaveAndLoad<T>(T stage, out Dictionary<string, byte[]> entries) where T : ICanSaveModel
    {
        entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        ModelStageRegistry.SaveStage(entries, "stage", stage);
        return Assert.IsAssignableFrom<T>(ModelStageRegistry.LoadStage(entries, "stage"));
    }

    /// <summary>
    /// Saves and loads a fitted transformer through the registry; a chain is saved stage by stage (folders 000, 001, ...)
    /// and rebuilt, so the test covers every transform's own Save and Load.
    /// </summary>
    public static ITransformer SaveAndLoadTransformer(ITransformer transformer, out Dictionary<string, byte[]> entries)
    {
        if (transformer is not IEnumerable<ITransformer> chain)
            return SaveAndLoad(transformer, out entries);
        entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var stages = chain.ToArray();
        var loaded = new ITransformer[stages.Length];
        for (int i = 0; i < stages.Length; i++)
        {
            var folder = $"stage/{i:D3}";
            ModelStageRegistry.SaveStage(entries, folder, stages[i]);
            loaded[i] = Assert.IsAssignableFrom<ITransformer>(ModelStageRegistry.LoadStage(entries, folder));
        }
        return new TransformerChain<ITransformer>(loaded);
    }

    /// <summary>Asserts every column of both views holds the same values bit for bit, row by row.</summary>
    public static void AssertSameOutput(IDataView expected, IDataView actual)
    {
        Assert.Equal(expected.Schema.Select(c => $"{c.Name}:{c.Type}"), actual.Schema.Select(c => $"{c.Name}:{c.Type}"));
        foreach (var column in expected.Schema.Where(c => !c.IsHidden))
            Assert.Equal(Dump(expected, column.Name), Dump(actual, column.Name));
    }

    /// <summary>Every value of column <paramref name="name"/> as text (floats by their bits).</summary>
    public static List<string> Dump(IDataView data, string name)
    {
        var type = data.Schema[name].Type;
        var itemRaw = type is VectorDataViewType v ? v.ItemType.RawType : type.RawType;
        var method = typeof(TransformTestData).GetMethod(type is VectorDataViewType ? nameof(DumpVector) : nameof(DumpScalar),
            System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.MakeGenericMethod(itemRaw);
        return (List<string>)method.Invoke(null, [data, name])!;
    }

    private static List<string> DumpScalar<T>(IDataView data, string name) => [.. Read<T>(data, name).Select(Text)];

    private static List<string> DumpVector<T>(IDataView data, string name) => [.. ReadVectors<T>(data, name).Select(r => string.Join(",", r.Select(Text)))];

    private static string Text<T>(T value) => value switch
    {
        float f => BitConverter.SingleToInt32Bits(f).ToString(System.Globalization.CultureInfo.InvariantCulture),
        double d => BitConverter.DoubleToInt64Bits(d).ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "<null>",
    };

    /// <summary>The predicted shape of <paramref name="estimator"/> must match the schema its fitted transformer produces.</summary>
    public static void AssertPredictedShapeMatches(IEstimator<ITransformer> estimator, IDataView data)
    {
        var predicted = estimator.GetOutputSchema(SchemaShape.Create(data.Schema));
        var actual = SchemaShape.Create(estimator.Fit(data).Transform(data).Schema);
        Assert.Null(predicted.FindMismatch(actual));
    }
}
