using MlNetDigits.Data;
using MlNetDigits.Model;

namespace MlNetDigits.Core;

/// <summary>A fitted stage: maps an input data view to an output data view, lazily.</summary>
public interface ITransformer : ICanSaveModel
{
    /// <summary>The schema <see cref="Transform"/> would produce from <paramref name="inputSchema"/>; throws <see cref="SchemaException"/> when the input does not fit.</summary>
    DataViewSchema GetOutputSchema(DataViewSchema inputSchema);

    /// <summary>A lazy view of <paramref name="input"/> with this stage's columns added.</summary>
    IDataView Transform(IDataView input);

    /// <summary>True when each output row depends only on the matching input row (every stage here is).</summary>
    bool IsRowToRowMapper { get; }

    /// <summary>A mapper of single rows, for prediction engines.</summary>
    IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema);
}

/// <summary>Maps one row at a time (used by prediction engines to avoid building a data view per prediction).</summary>
public interface IRowToRowMapper
{
    DataViewSchema InputSchema { get; }

    DataViewSchema OutputSchema { get; }

    /// <summary>A row with <see cref="OutputSchema"/> whose values are computed from <paramref name="input"/>'s current values.</summary>
    DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns);
}

/// <summary>An unfitted stage: learns from data and produces a transformer.</summary>
public interface IEstimator<out TTransformer> where TTransformer : ITransformer
{
    /// <summary>Learns from <paramref name="input"/>.</summary>
    TTransformer Fit(IDataView input);

    /// <summary>The schema shape fitting would produce; throws <see cref="SchemaException"/> when the input does not fit.</summary>
    SchemaShape GetOutputSchema(SchemaShape inputSchema);
}

/// <summary>A trainer: an estimator whose fitting reports progress and can be cancelled.</summary>
public interface ITrainerEstimator<out TTransformer> : IEstimator<TTransformer> where TTransformer : ITransformer
{
    /// <summary>
    /// Trains on <paramref name="input"/>, reporting to <paramref name="progress"/> (and the context's
    /// <see cref="DigitsContext.TrainingProgress"/> event). Cancelling throws <see cref="OperationCanceledException"/>
    /// and produces no model.
    /// </summary>
    TTransformer Fit(IDataView input, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken);
}
