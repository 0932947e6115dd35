namespace MlNetDigits.NotebookRunner.Tests;

/// <summary>
/// Tests that start a kernel run one at a time: the working directory, the culture and .NET Interactive's formatters
/// are process-wide, as in the runner, which runs notebooks one after another.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelCollection
{
    public const string Name = "kernel";
}
