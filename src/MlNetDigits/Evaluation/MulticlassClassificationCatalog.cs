namespace MlNetDigits.Evaluation;

/// <summary>
/// Multiclass classification (<c>context.MulticlassClassification</c>): trainers under <see cref="Trainers"/>
/// (extension methods, one file per trainer) and evaluation.
/// </summary>
public sealed partial class MulticlassClassificationCatalog
{
    internal MulticlassClassificationCatalog(DigitsContext context)
    {
        Context = context;
        Trainers = new MulticlassClassificationTrainers(context);
    }

    internal DigitsContext Context { get; }

    /// <summary>The multiclass trainers; each trainer adds an extension method on this class.</summary>
    public MulticlassClassificationTrainers Trainers { get; }

    /// <summary>Holder of the multiclass trainer extension methods.</summary>
    public sealed class MulticlassClassificationTrainers
    {
        internal MulticlassClassificationTrainers(DigitsContext context) => Context = context;

        /// <summary>The context the trainers are created in.</summary>
        public DigitsContext Context { get; }
    }
}
