using System.Collections.Immutable;
using MlNetDigits.Data;

namespace MlNetDigits.Core;

/// <summary>
/// Estimators appended in order. <see cref="Fit(IDataView)"/> first checks the whole chain's schema, so a missing or
/// mistyped column fails before any stage trains, then fits each stage on the output of the ones before it.
/// </summary>
public sealed class EstimatorChain<TLastTransformer> : ITrainerEstimator<TransformerChain<TLastTransformer>>
    where TLastTransformer : class, ITransformer
{
    private readonly ImmutableArray<IEstimator<ITransformer>> _estimators;

    public EstimatorChain() => _estimators = [];

    private EstimatorChain(ImmutableArray<IEstimator<ITransformer>> estimators) => _estimators = estimators;

    public IReadOnlyList<IEstimator<ITransformer>> Estimators => _estimators;

    /// <summary>A chain with <paramref name="estimator"/> added at the end.</summary>
    public EstimatorChain<TNew> Append<TNew>(IEstimator<TNew> estimator) where TNew : class, ITransformer =>
        new([.. _estimators, estimator]);

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var shape = inputSchema;
        for (int i = 0; i < _estimators.Length; i++)
            shape = TransformerChain<TLastTransformer>.InStage(i, _estimators[i], () => _estimators[i].GetOutputSchema(shape));
        return shape;
    }

    public TransformerChain<TLastTransformer> Fit(IDataView input) => Fit(input, null, CancellationToken.None);

    public TransformerChain<TLastTransformer> Fit(IDataView input, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var fitted = new ITransformer[_estimators.Length];
        var data = input;
        for (int i = 0; i < _estimators.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var estimator = _estimators[i];
            var current = data;
            fitted[i] = TransformerChain<TLastTransformer>.InStage(i, estimator, () => estimator is ITrainerEstimator<ITransformer> trainer
                ? trainer.Fit(current, progress, cancellationToken)
                : estimator.Fit(current));
            if (i < _estimators.Length - 1)
                data = fitted[i].Transform(data);
        }
        return new TransformerChain<TLastTransformer>(fitted);
    }
}

/// <summary><c>Append</c> on a single estimator starts a chain, as in ML.NET.</summary>
public static class EstimatorExtensions
{
    public static EstimatorChain<TNew> Append<TNew>(this IEstimator<ITransformer> start, IEstimator<TNew> estimator)
        where TNew : class, ITransformer =>
        new EstimatorChain<ITransformer>().Append(start).Append(estimator);
}
