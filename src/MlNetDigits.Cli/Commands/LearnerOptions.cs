using System.CommandLine;
using MlNetDigits.Cli.Training;

namespace MlNetDigits.Cli.Commands;

/// <summary>The training options shared by <c>train</c> and <c>compare</c>: preset, epochs, optimizer, seed, threads and backend.</summary>
internal sealed class LearnerOptions
{
    public LearnerOptions(string presetDefault, string epochsDescription)
    {
        Preset = new Option<string>("--preset")
        {
            Description = "CNN preset: fast (one epoch, small net), classic (PyTorch's MNIST example), best (batch-norm, augmentation).",
            DefaultValueFactory = _ => presetDefault,
        };
        Preset.AcceptOnlyFromAmong([.. ImageClassificationPreset.Names]);
        Epochs = new Option<int?>("--epochs") { Description = epochsDescription, HelpName = "N" };
        Backend.AcceptOnlyFromAmong([.. LearnerSettings.BackendNames]);
    }

    public Option<string> Preset { get; }

    public Option<int?> Epochs { get; }

    public Option<string?> Optimizer { get; } = new("--optimizer")
    {
        Description = "CNN optimizer: sgd, adam, adamw, nadam or adadelta (default: the preset's).",
        HelpName = "NAME",
    };

    public Option<int?> Seed { get; } = new("--seed") { Description = "Seed of every random choice (default: a random seed, printed).", HelpName = "N" };

    public Option<int?> Threads { get; } = new("--threads") { Description = "Threads to train with (default: every core).", HelpName = "N" };

    public Option<string?> Backend { get; } = new("--backend")
    {
        Description = "CNN training backend: auto, managed, openblas, or gpu (the first CUDA device) (default: MLND_BACKEND, else auto).",
        HelpName = "NAME",
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command, bool withOptimizer = true)
    {
        command.Options.Add(Preset);
        command.Options.Add(Epochs);
        if (withOptimizer)
            command.Options.Add(Optimizer);
        command.Options.Add(Seed);
        command.Options.Add(Threads);
        command.Options.Add(Backend);
    }

    /// <summary>The settings of <paramref name="trainer"/> from the parsed options (seed drawn when not given).</summary>
    public LearnerSettings Read(ParseResult parse, string trainer, int? epochsOverride = null) => new()
    {
        Trainer = trainer,
        Preset = parse.GetValue(Preset)!,
        Epochs = epochsOverride ?? parse.GetValue(Epochs),
        Optimizer = parse.GetValue(Optimizer),
        Seed = parse.GetValue(Seed) ?? Random.Shared.Next(1, int.MaxValue),
        Threads = parse.GetValue(Threads),
        Backend = parse.GetValue(Backend),
    };
}
