namespace MlNetDigits.Model;

/// <summary>A stage that can write itself into a model file.</summary>
public interface ICanSaveModel
{
    /// <summary>Writes the stage's parameters into its folder of the model file.</summary>
    void Save(ModelSaveContext context);
}

/// <summary>
/// Names the kind under which a stage is saved and found again on load. The class must also declare
/// <c>public static TSelf Load(ModelLoadContext context)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ModelStageAttribute(string kind, int version = 1) : Attribute
{
    /// <summary>The stage kind written to the model file, e.g. "NormalizeMinMax".</summary>
    public string Kind { get; } = kind;

    /// <summary>The stage's own parameter layout version; a newer one on load is refused.</summary>
    public int Version { get; } = version;
}
