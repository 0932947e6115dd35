namespace MlNetDigits;

/// <summary>Which half of an IDX data set: the training files (<c>train-*</c>) or the test files (<c>t10k-*</c>).</summary>
public enum DatasetSplit
{
    /// <summary>The training files, <c>train-images-idx3-ubyte</c> and <c>train-labels-idx1-ubyte</c>.</summary>
    Train,

    /// <summary>The test files, <c>t10k-images-idx3-ubyte</c> and <c>t10k-labels-idx1-ubyte</c>.</summary>
    Test,
}
