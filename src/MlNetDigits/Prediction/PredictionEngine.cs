using MlNetDigits.Core;
using MlNetDigits.Data;

namespace MlNetDigits.Prediction;

/// <summary>
/// Runs a fitted model on one example at a time: the members of <typeparamref name="TSrc"/> feed the model's input columns
/// and the model's output columns fill the members of <typeparamref name="TDst"/>, matched by column name
/// (<see cref="ColumnNameAttribute"/>, <see cref="VectorTypeAttribute"/>, <see cref="KeyTypeAttribute"/>,
/// <see cref="NoColumnAttribute"/>). Built once over the model's single-row mapper and a reusable input row: no data view is
/// made per call, and <see cref="Predict(TSrc, ref TDst)"/> allocates nothing after the first call when the same output
/// object is passed back (its arrays are overwritten).
/// </summary>
/// <remarks>
/// <b>Not thread-safe.</b> An engine holds the buffers of one prediction in flight; use one engine per thread, or
/// <see cref="PredictionEnginePool{TIn, TOut}"/> from many threads.
/// </remarks>
public sealed class PredictionEngine<TSrc, TDst> where TSrc : class where TDst : class, new()
{
    private readonly SingleRow _input;
    private readonly Action<TDst>[] _fillers;
    private TSrc? _current;

    internal PredictionEngine(ITransformer model, PredictionEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        _input = BindInput(options);
        IRowToRowMapper mapper;
        try
        {
            mapper = model.GetRowToRowMapper(_input.Schema);
        }
        catch (SchemaException e)
        {
            throw new ArgumentException(
                $"The model cannot read {typeof(TSrc).Name}: {e.Message} {typeof(TSrc).Name} maps to columns {_input.Schema.DescribeNames()}; add a member for '{e.ColumnName}' (or name one with [ColumnName(\"{e.ColumnName}\")]).", e);
        }
        OutputSchema = mapper.OutputSchema;
        var output = mapper.GetRow(_input, mapper.OutputSchema);
        _fillers = BindOutput(output, options);
        ClassNames = OutputSchema.GetClassNames();
    }

    /// <summary>The model the engine runs.</summary>
    public Core.ITransformer Model { get; }

    /// <summary>The columns <typeparamref name="TSrc"/> is read as (the model's input).</summary>
    public DataViewSchema InputSchema => _input.Schema;

    /// <summary>The model's output columns for that input.</summary>
    public DataViewSchema OutputSchema { get; }

    /// <summary>
    /// The class name of each slot of the "Score" column (its SlotNames annotation: for digits "0".."9"), so
    /// <c>Score[i]</c> is the probability of <c>ClassNames[i]</c>; null when the model has no such column.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The class names of the "Score" column (see <see cref="ClassNames"/>); throws when the model has none.</summary>
    public IReadOnlyList<string> GetClassNames() => ClassNames ?? throw new InvalidOperationException(
        $"The model's output has no '{ModelSchemaExtensions.DefaultScoreColumnName}' vector column with SlotNames; its columns are {OutputSchema.DescribeNames()}.");

    /// <summary>Pairs each score with its class name, in slot order (<paramref name="scores"/>: the output's Score array).</summary>
    public ClassScore[] GetClassScores(ReadOnlySpan<float> scores)
    {
        var names = GetClassNames();
        if (scores.Length != names.Count)
            throw new ArgumentException($"The model has {names.Count} classes; {scores.Length} scores were given.", nameof(scores));
        var result = new ClassScore[scores.Length];
        for (int i = 0; i < result.Length; i++)
            result[i] = new ClassScore(i, names[i], scores[i]);
        return result;
    }

    /// <summary>Predicts for <paramref name="example"/> into a new <typeparamref name="TDst"/>.</summary>
    public TDst Predict(TSrc example)
    {
        var prediction = new TDst();
        Predict(example, ref prediction);
        return prediction;
    }

    /// <summary>
    /// Predicts for <paramref name="example"/> into <paramref name="prediction"/> (made when null), overwriting its arrays
    /// when they already have the right length: passing the same object every time allocates nothing.
    /// </summary>
    public void Predict(TSrc example, ref TDst prediction)
    {
        ArgumentNullException.ThrowIfNull(example);
        prediction ??= new TDst();
        _current = example;
        try
        {
            _input.Advance();
            foreach (var fill in _fillers)
                fill(prediction);
        }
        finally
        {
            _current = null;
        }
    }

    private TSrc Current() => _current ?? throw new InvalidOperationException("No example is being predicted.");

    /// <summary>The input row: one column per member of <typeparamref name="TSrc"/>, typed like the saved input schema when there is one.</summary>
    private SingleRow BindInput(PredictionEngineOptions options)
    {
        var members = options.InputSchemaDefinition ?? SchemaDefinition.Create(typeof(TSrc), SchemaDefinition.Direction.Read);
        var saved = options.InputSchema;
        var columns = new List<(string Name, DataViewType Type, DataViewSchema.Annotations? Annotations)>();
        var getters = new List<Delegate>();
        foreach (var member in members)
        {
            var definition = member;
            if (saved?.GetColumnOrNull(member.ColumnName) is { } column)
                definition = new SchemaDefinition.Column(member.MemberName, SavedType(member, column), member.ColumnName) { Annotations = column.Annotations };
            var accessor = RowMemberAccessor<TSrc>.Create(definition);
            accessor.EnsureReadable();
            if (definition.ColumnType is null)
                throw new ArgumentException(
                    $"Member '{accessor.MemberDescription}' is an array without a size, so column '{definition.ColumnName}' has no type: add [VectorType(size)] (or [VectorType(d1, d2, ...)]), or pass the model's input schema.");
            columns.Add((definition.ColumnName, definition.ColumnType, definition.Annotations));
            getters.Add(accessor.MakeColumnGetter(Current, () => _input?.Position ?? -1));
        }
        if (saved is not null && options.SupplyMissingInputColumns)
        {
            foreach (var column in saved.Where(c => !c.IsHidden && !columns.Any(m => m.Name == c.Name)))
            {
                columns.Add((column.Name, column.Type, column.Annotations));
                getters.Add(SingleRow.DefaultGetter(column.Type));
            }
        }
        return new SingleRow(DataViewSchema.Create(columns), [.. getters]);
    }

    /// <summary>The saved column's type when the member can feed it (same item type, same size); otherwise a clear error.</summary>
    private static DataViewType SavedType(SchemaDefinition.Column member, DataViewSchema.Column column)
    {
        var declared = member.ColumnType;
        bool fits = (declared, column.Type) switch
        {
            (VectorDataViewType d, VectorDataViewType s) => d.ItemType.RawType == s.ItemType.RawType && d.Size == s.Size,
            (null, VectorDataViewType s) => SchemaDefinition.PrimitiveFromClr(typeof(TSrc).GetMember(member.MemberName)
                .Select(SchemaDefinition.MemberType).First().GetElementType() ?? typeof(void))?.RawType == s.ItemType.RawType,
            (PrimitiveDataViewType d, PrimitiveDataViewType s) => d.RawType == s.RawType,
            _ => false,
        };
        if (!fits)
            throw new ArgumentException(
                $"Member '{typeof(TSrc).Name}.{member.MemberName}' is {declared?.ToString() ?? "an array of unknown size"}, but the model was trained on column '{column.Name}' of type {column.Type}. Declare the member to match (e.g. [VectorType(...)] with the same number of items).");
        return column.Type;
    }

    /// <summary>One filler per member of <typeparamref name="TDst"/>, each copying an output column into it.</summary>
    private static Action<TDst>[] BindOutput(DataViewRow output, PredictionEngineOptions options)
    {
        var members = options.OutputSchemaDefinition ?? SchemaDefinition.Create(typeof(TDst), SchemaDefinition.Direction.Write);
        var fillers = new List<Action<TDst>>();
        foreach (var member in members)
        {
            var accessor = RowMemberAccessor<TDst>.Create(member);
            var column = output.Schema.GetColumnOrNull(member.ColumnName);
            if (column is null)
            {
                if (options.IgnoreMissingOutputColumns)
                    continue;
                throw new ArgumentException(
                    $"Member '{accessor.MemberDescription}' reads column '{member.ColumnName}', which the model does not produce. Output columns: {output.Schema.DescribeNames()}. Rename it with [ColumnName(\"...\")], mark it [NoColumn], or set IgnoreMissingOutputColumns.");
            }
            CheckOutputMember(accessor, column);
            accessor.EnsureWritable();
            fillers.Add(accessor.MakeMemberFiller(output, column, reuseArrays: true));
        }
        return [.. fillers];
    }

    private static void CheckOutputMember(RowMemberAccessor<TDst> accessor, DataViewSchema.Column column)
    {
        var expected = accessor.Definition.ColumnType;
        var memberType = SchemaDefinition.MemberType(accessor.Member);
        bool ok = (expected, column.Type) switch
        {
            (VectorDataViewType e, VectorDataViewType f) => e.ItemType.RawType == f.ItemType.RawType && e.Size == f.Size,
            (null, VectorDataViewType f) => memberType.GetElementType() == f.ItemType.RawType,
            (PrimitiveDataViewType e, PrimitiveDataViewType f) => e.RawType == f.RawType,
            _ => false,
        };
        if (!ok)
            throw new ArgumentException(
                $"Column '{column.Name}' is {column.Type}, but member '{accessor.MemberDescription}' ({memberType.Name}) expects {expected?.ToString() ?? $"a vector of {memberType.GetElementType()?.Name}"}. Declare it as {DescribeClr(column.Type)}.");
    }

    private static string DescribeClr(DataViewType type) => type is VectorDataViewType v
        ? $"{v.ItemType.RawType.Name}[] (with [VectorType({v.Size})] or none)"
        : type.RawType.Name;
}
