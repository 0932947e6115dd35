using System.Collections;
using System.Collections.Immutable;
using System.Globalization;
using MlNetDigits.Data;
using MlNetDigits.Model;

namespace MlNetDigits.Core;

/// <summary>Fitted stages applied in order; what an <see cref="EstimatorChain{TLastTransformer}"/> fits into.</summary>
[ModelStage("TransformerChain")]
public sealed class TransformerChain<TLastTransformer> : ITransformer, IEnumerable<ITransformer>
    where TLastTransformer : class, ITransformer
{
    private readonly ImmutableArray<ITransformer> _transformers;

    public TransformerChain(params ITransformer[] transformers)
    {
        _transformers = [.. transformers];
        if (_transformers.Length > 0 && _transformers[^1] is not TLastTransformer)
            throw new ArgumentException($"The last transformer must be a {typeof(TLastTransformer).Name}.", nameof(transformers));
    }

    /// <summary>The last stage (typically the trained model).</summary>
    public TLastTransformer? LastTransformer => _transformers.Length == 0 ? null : (TLastTransformer)_transformers[^1];

    public int Count => _transformers.Length;

    public ITransformer this[int index] => _transformers[index];

    /// <summary>A chain with <paramref name="transformer"/> added at the end.</summary>
    public TransformerChain<TNew> Append<TNew>(TNew transformer) where TNew : class, ITransformer =>
        new([.. _transformers, transformer]);

    public bool IsRowToRowMapper => _transformers.All(t => t.IsRowToRowMapper);

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        var schema = inputSchema;
        for (int i = 0; i < _transformers.Length; i++)
            schema = InStage(i, _transformers[i], () => _transformers[i].GetOutputSchema(schema));
        return schema;
    }

    public IDataView Transform(IDataView input)
    {
        GetOutputSchema(input.Schema);
        var data = input;
        foreach (var t in _transformers)
            data = t.Transform(data);
        return data;
    }

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new ChainMapper(this, inputSchema);

    public void Save(ModelSaveContext context)
    {
        context.WriteJson("chain.json", new ChainHeader(_transformers.Length));
        for (int i = 0; i < _transformers.Length; i++)
            context.SaveStage(StageFolder(i), _transformers[i]);
    }

    /// <summary>Reads a chain written by <see cref="Save"/>.</summary>
    public static TransformerChain<ITransformer> Load(ModelLoadContext context)
    {
        var header = context.ReadJson<ChainHeader>("chain.json");
        if (header.Count is < 0 or > 10_000)
            throw new InvalidModelException($"Model entry '{context.Folder}/chain.json' claims {header.Count} stages.");
        var stages = new ITransformer[header.Count];
        for (int i = 0; i < stages.Length; i++)
            stages[i] = context.LoadStage(StageFolder(i)) as ITransformer
                ?? throw new InvalidModelException($"Model stage '{context.Folder}/{StageFolder(i)}' is not a transformer.");
        return new TransformerChain<ITransformer>(stages);
    }

    public IEnumerator<ITransformer> GetEnumerator() => ((IEnumerable<ITransformer>)_transformers).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal static T InStage<T>(int index, object stage, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (SchemaException e) when (e.Stage is null)
        {
            throw e.InStage($"stage {index + 1} ({DescribeStage(stage)})");
        }
    }

    /// <summary>A stage's short name for messages: its saved kind, or its type name.</summary>
    internal static string DescribeStage(object stage)
    {
        var name = stage.GetType().Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        name = tick < 0 ? name : name[..tick];
        foreach (var suffix in new[] { "Estimator", "Transformer", "Trainer" })
            if (name.Length > suffix.Length && name.EndsWith(suffix, StringComparison.Ordinal))
                return name[..^suffix.Length];
        return name;
    }

    private static string StageFolder(int index) => index.ToString("D3", CultureInfo.InvariantCulture);

    private sealed record ChainHeader(int Count);

    private sealed class ChainMapper : IRowToRowMapper
    {
        private readonly IRowToRowMapper[] _mappers;

        public ChainMapper(TransformerChain<TLastTransformer> chain, DataViewSchema inputSchema)
        {
            InputSchema = inputSchema;
            _mappers = new IRowToRowMapper[chain.Count];
            var schema = inputSchema;
            for (int i = 0; i < chain.Count; i++)
            {
                _mappers[i] = chain[i].GetRowToRowMapper(schema);
                schema = _mappers[i].OutputSchema;
            }
            OutputSchema = schema;
        }

        public DataViewSchema InputSchema { get; }

        public DataViewSchema OutputSchema { get; }

        public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
        {
            // Every stage keeps all of its columns active: a later stage may read any of them.
            var row = input;
            foreach (var m in _mappers)
                row = m.GetRow(row, m.OutputSchema);
            return row;
        }
    }
}
