using System.Collections.Concurrent;
using System.Reflection;

namespace MlNetDigits.Model;

/// <summary>
/// Finds stage types by the kind written in a model file. Stages of this library register themselves through
/// <see cref="ModelStageAttribute"/>; other assemblies call <see cref="Register(Assembly)"/>.
/// </summary>
public static class ModelStageRegistry
{
    private const string StageFile = "stage.json";

    private static readonly ConcurrentDictionary<string, (Type Type, int Version, Func<ModelLoadContext, ICanSaveModel> Load)> Stages = new(StringComparer.Ordinal);

    static ModelStageRegistry() => Register(typeof(ModelStageRegistry).Assembly);

    /// <summary>Registers every class of <paramref name="assembly"/> marked with <see cref="ModelStageAttribute"/>.</summary>
    public static void Register(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
        {
            var attribute = type.GetCustomAttribute<ModelStageAttribute>();
            if (attribute is null)
                continue;
            // A generic stage (TransformerChain<TLast>) is loaded as its most general closed form, e.g. TransformerChain<ITransformer>.
            var loadType = type.IsGenericTypeDefinition ? CloseOverConstraints(type) : type;
            var load = loadType.GetMethod("Load", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(ModelLoadContext)]);
            if (load is null || !typeof(ICanSaveModel).IsAssignableFrom(load.ReturnType))
                throw new InvalidOperationException($"Stage type {type.FullName} needs a static Load(ModelLoadContext) method returning the stage.");
            var loader = (Func<ModelLoadContext, ICanSaveModel>)(ctx => (ICanSaveModel)load.Invoke(null, [ctx])!);
            var entry = (type, attribute.Version, loader);
            var existing = Stages.GetOrAdd(attribute.Kind, entry);
            if (existing.Type != type)
                throw new InvalidOperationException($"Stage kind '{attribute.Kind}' is claimed by both {existing.Type.FullName} and {type.FullName}.");
        }
    }

    private static Type CloseOverConstraints(Type definition) =>
        definition.MakeGenericType([.. definition.GetGenericArguments().Select(p =>
            p.GetGenericParameterConstraints().FirstOrDefault(c => c.IsInterface || c.IsClass) ?? typeof(object))]);

    /// <summary>The kind and version <paramref name="stage"/> saves under.</summary>
    public static (string Kind, int Version) KindOf(ICanSaveModel stage)
    {
        var attribute = stage.GetType().GetCustomAttribute<ModelStageAttribute>()
            ?? throw new InvalidOperationException($"{stage.GetType().FullName} cannot be saved: it has no [ModelStage] attribute.");
        return (attribute.Kind, attribute.Version);
    }

    /// <summary>Writes <paramref name="stage"/> into <paramref name="folder"/>: a stage.json naming its kind, then its own entries.</summary>
    internal static void SaveStage(IDictionary<string, byte[]> entries, string folder, ICanSaveModel stage)
    {
        var (kind, version) = KindOf(stage);
        var context = new ModelSaveContext(entries, folder);
        context.WriteJson(StageFile, new StageHeader(kind, version));
        stage.Save(context);
    }

    /// <summary>Reads the stage saved in <paramref name="folder"/>.</summary>
    internal static ICanSaveModel LoadStage(IReadOnlyDictionary<string, byte[]> entries, string folder)
    {
        var header = new ModelLoadContext(entries, folder, 0).ReadJson<StageHeader>(StageFile);
        if (string.IsNullOrEmpty(header.Kind))
            throw new InvalidModelException($"Model entry '{folder}/{StageFile}' does not name a stage kind.");
        if (!Stages.TryGetValue(header.Kind, out var stage))
            throw new InvalidModelException($"Model stage '{folder}' has kind '{header.Kind}', which this version of MlNetDigits does not know. Upgrade MlNetDigits, or register the assembly that defines it with ModelStageRegistry.Register.");
        if (header.Version > stage.Version)
            throw new InvalidModelException($"Model stage '{folder}' ({header.Kind}) was saved with stage version {header.Version}; this version of MlNetDigits reads up to {stage.Version}. Upgrade MlNetDigits to load it.");
        try
        {
            return stage.Load(new ModelLoadContext(entries, folder, header.Version));
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            if (e.InnerException is InvalidModelException)
                throw e.InnerException;
            throw new InvalidModelException($"Model stage '{folder}' ({header.Kind}) could not be loaded: {e.InnerException.Message}", e.InnerException);
        }
    }

    private sealed record StageHeader(string Kind, int Version);
}
