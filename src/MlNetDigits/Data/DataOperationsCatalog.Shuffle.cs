namespace MlNetDigits.Data;

public sealed partial class DataOperationsCatalog
{
    /// <summary>Default settings of <see cref="ShuffleRows"/>.</summary>
    public static class ShuffleDefaults
    {
        /// <summary>Rows held in the shuffle pool when the input cannot shuffle itself.</summary>
        public const int ShufflePoolSize = 1000;

        /// <summary>Ask an input that can shuffle itself for a random order.</summary>
        public const bool ShuffleSource = true;
    }

    /// <summary>
    /// The rows of <paramref name="input"/> in a random order fixed by <paramref name="seed"/>, lazily. An input that can
    /// shuffle itself (in memory, cached) gives a uniform permutation of all rows; other inputs stream through a pool of
    /// <paramref name="shufflePoolSize"/> rows, each output row drawn at random from it (the order is then only locally
    /// random: cache first for a full shuffle). Every pass over the result repeats the same order.
    /// </summary>
    /// <param name="input">The rows to shuffle.</param>
    /// <param name="seed">The seed of the order; null takes the context's next seed.</param>
    /// <param name="shufflePoolSize">Rows held in the pool; 0 or 1 turns the pool off.</param>
    /// <param name="shuffleSource">Ask an input that can shuffle itself for a random order.</param>
    public IDataView ShuffleRows(IDataView input, int? seed = null, int shufflePoolSize = ShuffleDefaults.ShufflePoolSize,
        bool shuffleSource = ShuffleDefaults.ShuffleSource)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(shufflePoolSize);
        return new ShuffledDataView(input, seed ?? Context.NextSeed(), shufflePoolSize, shuffleSource);
    }
}
