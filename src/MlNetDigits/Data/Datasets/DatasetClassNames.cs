namespace MlNetDigits;

/// <summary>Display names of the classes of the known data sets, indexed by label value.</summary>
public static class DatasetClassNames
{
    /// <summary>MNIST's classes: the digits "0".."9".</summary>
    public static IReadOnlyList<string> Digits { get; } = [.. Enumerable.Range(0, 10).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>Fashion-MNIST's classes, label 0 to 9.</summary>
    public static IReadOnlyList<string> FashionMnist { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
}
