namespace MlNetDigits;

/// <summary>What a fetch did.</summary>
/// <param name="Dataset">The data set name ("mnist", "fashion", "sample").</param>
/// <param name="Folder">The folder that now holds the data set's files.</param>
/// <param name="AlreadyPresent">True when every file was already there and verified, so nothing was done.</param>
/// <param name="Written">The files written by this fetch (names only).</param>
/// <param name="Replaced">The files that were present with a wrong checksum and were replaced by verified ones.</param>
/// <param name="Summary">One line for the user, e.g. "MNIST is ready in data/mnist (4 files, SHA-256 verified)."</param>
public sealed record FetchResult(
    string Dataset, string Folder, bool AlreadyPresent, IReadOnlyList<string> Written, IReadOnlyList<string> Replaced, string Summary);
