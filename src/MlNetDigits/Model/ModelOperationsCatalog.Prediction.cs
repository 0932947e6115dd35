using MlNetDigits.Core;
using MlNetDigits.Data;
using MlNetDigits.Prediction;

namespace MlNetDigits.Model;

public sealed partial class ModelOperationsCatalog
{
    /// <summary>
    /// A prediction engine running <paramref name="model"/> on single <typeparamref name="TSrc"/> objects into
    /// <typeparamref name="TDst"/> objects, members matched to columns by name. The engine is <b>not thread-safe</b>: use one
    /// per thread, or a <see cref="PredictionEnginePool{TIn, TOut}"/>.
    /// </summary>
    /// <param name="model">A fitted transformer or chain (e.g. from <see cref="Load(string, out DataViewSchema)"/>).</param>
    /// <param name="inputSchema">The schema the model was saved with; its column types and annotations are used for the input members.</param>
    /// <exception cref="ArgumentException">A member does not fit its column, or the model needs a column the input class lacks.</exception>
    public PredictionEngine<TSrc, TDst> CreatePredictionEngine<TSrc, TDst>(ITransformer model, DataViewSchema? inputSchema = null)
        where TSrc : class where TDst : class, new() =>
        CreatePredictionEngine<TSrc, TDst>(model, new PredictionEngineOptions { InputSchema = inputSchema });

    /// <summary>A prediction engine with every mapping option given (see <see cref="PredictionEngineOptions"/>).</summary>
    public PredictionEngine<TSrc, TDst> CreatePredictionEngine<TSrc, TDst>(ITransformer model, PredictionEngineOptions options)
        where TSrc : class where TDst : class, new()
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        return new PredictionEngine<TSrc, TDst>(model, options);
    }
}
