namespace MlNetDigits.Data;

public sealed partial class DataOperationsCatalog
{
    /// <summary>
    /// The rows of <paramref name="input"/> whose value in the numeric or key column <paramref name="columnName"/> lies in
    /// [<paramref name="lowerBound"/>, <paramref name="upperBound"/>), lazily and in order; NaN values are dropped. A key
    /// column is compared by its raw value (1..Count, 0 = missing). One digit of an MNIST "Label" column:
    /// <c>FilterRowsByColumn(data, "Label", 3, 4)</c>.
    /// </summary>
    public IDataView FilterRowsByColumn(IDataView input, string columnName,
        double lowerBound = double.NegativeInfinity, double upperBound = double.PositiveInfinity)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentException.ThrowIfNullOrEmpty(columnName);
        if (!(lowerBound < upperBound))
            throw new ArgumentOutOfRangeException(nameof(upperBound), upperBound,
                $"The upper bound must be greater than the lower bound {lowerBound} (the range is [lower, upper)).");
        var column = input.Schema.GetColumnOrNull(columnName) ?? throw new ArgumentOutOfRangeException(nameof(columnName),
            $"Column '{columnName}' not found. Available columns: {input.Schema.DescribeNames()}.");
        if (column.Type is not (NumberDataViewType or KeyDataViewType))
            throw new ArgumentException(
                $"Column '{columnName}' is {column.Type}; filtering by range needs a numeric scalar or key column.", nameof(columnName));
        return new RowFilterDataView(input,
            cursor =>
            {
                var read = MakeDoubleReader(cursor, column);
                return () =>
                {
                    var value = read();
                    return value >= lowerBound && value < upperBound;
                };
            },
            [column]);
    }

    /// <summary>A function reading the current value of a numeric or key scalar column as a double, without allocating per row.</summary>
    private static Func<double> MakeDoubleReader(DataViewRow row, DataViewSchema.Column column)
    {
        var raw = column.Type.RawType;
        if (raw == typeof(float))
            return Reader<float>(row, column, v => v);
        if (raw == typeof(double))
            return Reader<double>(row, column, v => v);
        if (raw == typeof(byte))
            return Reader<byte>(row, column, v => v);
        if (raw == typeof(int))
            return Reader<int>(row, column, v => v);
        if (raw == typeof(uint))
            return Reader<uint>(row, column, v => v);
        if (raw == typeof(long))
            return Reader<long>(row, column, v => v);
        throw new ArgumentException($"Column '{column.Name}' is {column.Type}, not a numeric scalar or key.");

        static Func<double> Reader<T>(DataViewRow row, DataViewSchema.Column column, Func<T, double> convert)
        {
            var getter = row.GetGetter<T>(column);
            T value = default!;
            return () =>
            {
                getter(ref value);
                return convert(value);
            };
        }
    }
}
