using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetDigits;

/// <summary>The names of a classifier's classes, read from ML.NET's annotations.</summary>
public static class ClassNames
{
    /// <summary>
    /// The class names of a key column in key order: its KeyValues annotation as invariant text (so a MapValueToKey of
    /// MNIST's UInt32 labels gives "0".."9" in the key's order), or "1".."K" when the key has none.
    /// </summary>
    /// <exception cref="ArgumentException">The column is not a key of known count.</exception>
    public static IReadOnlyList<string> Of(DataViewSchema.Column keyColumn)
    {
        if (keyColumn.Type is not KeyDataViewType key || key.Count is 0 or > int.MaxValue)
            throw new ArgumentException($"Column '{keyColumn.Name}' is {keyColumn.Type}; class names come from a key column of known count (MapValueToKey makes one).", nameof(keyColumn));
        int count = (int)key.Count;
        var names = KeyValueTexts(keyColumn);
        return names is not null && names.Length == count ? names : [.. Enumerable.Range(1, count).Select(i => i.ToString(CultureInfo.InvariantCulture))];
    }

    /// <summary>The key values of <paramref name="keyColumn"/> as invariant text, or null when it has none.</summary>
    internal static string[]? KeyValueTexts(DataViewSchema.Column keyColumn)
    {
        if (keyColumn.Annotations.Schema.GetColumnOrNull("KeyValues")?.Type is not VectorDataViewType type)
            return null;
        return type.ItemType.RawType switch
        {
            var t when t == typeof(ReadOnlyMemory<char>) => Texts<ReadOnlyMemory<char>>(keyColumn, v => v.ToString()),
            var t when t == typeof(uint) => Texts<uint>(keyColumn, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(int) => Texts<int>(keyColumn, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(long) => Texts<long>(keyColumn, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(ulong) => Texts<ulong>(keyColumn, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(short) => Texts<short>(keyColumn, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(ushort) => Texts<ushort>(keyColumn, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(byte) => Texts<byte>(keyColumn, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(sbyte) => Texts<sbyte>(keyColumn, v => v.ToString(CultureInfo.InvariantCulture)),
            var t when t == typeof(float) => Texts<float>(keyColumn, v => v.ToString("R", CultureInfo.InvariantCulture)),
            var t when t == typeof(double) => Texts<double>(keyColumn, v => v.ToString("R", CultureInfo.InvariantCulture)),
            var t when t == typeof(bool) => Texts<bool>(keyColumn, v => v ? "True" : "False"),
            _ => null,
        };
    }

    private static string[] Texts<T>(DataViewSchema.Column column, Func<T, string> text)
    {
        VBuffer<T> values = default;
        column.GetKeyValues(ref values);
        return [.. values.DenseValues().Select(text)];
    }
}
