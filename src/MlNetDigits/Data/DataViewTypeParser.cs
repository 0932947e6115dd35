using System.Globalization;

namespace MlNetDigits.Data;

/// <summary>
/// Reads back the type names that <see cref="DataViewType"/>s print: "Single", "Boolean", "String", "Key&lt;UInt32, 0-9&gt;",
/// "Vector&lt;Single, 28, 28&gt;", "Vector&lt;Key&lt;UInt32, 0-9&gt;, 3&gt;". Model files store column types this way.
/// </summary>
public static class DataViewTypeParser
{
    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> saying what was expected where.</summary>
    public static DataViewType Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reader = new Reader(text);
        var type = reader.ReadType();
        reader.SkipSpaces();
        if (!reader.AtEnd)
            throw reader.Error("the end of the type");
        return type;
    }

    /// <summary>Parses <paramref name="text"/>, or returns false.</summary>
    public static bool TryParse(string text, out DataViewType? type)
    {
        try
        {
            type = Parse(text);
            return true;
        }
        catch (FormatException)
        {
            type = null;
            return false;
        }
    }

    private sealed class Reader(string text)
    {
        private int _pos;

        public bool AtEnd => _pos >= text.Length;

        public DataViewType ReadType()
        {
            var name = ReadName();
            switch (name)
            {
                case "Vector":
                    {
                        Expect('<');
                        var item = ReadType() as PrimitiveDataViewType ?? throw Error("a scalar or key item type");
                        var dims = new List<int>();
                        while (TryConsume(','))
                            dims.Add(ReadInt());
                        if (dims.Count == 0)
                            throw Error("',' and the vector's dimensions");
                        Expect('>');
                        try
                        {
                            return new VectorDataViewType(item, [.. dims]);
                        }
                        catch (ArgumentException e)
                        {
                            throw new FormatException($"Type '{text}' is not a valid vector type: {e.Message}", e);
                        }
                    }
                case "Key":
                    {
                        Expect('<');
                        if (ReadName() != "UInt32")
                            throw Error("UInt32 (keys are stored as UInt32)");
                        Expect(',');
                        var first = ReadLong();
                        Expect('-');
                        var last = ReadLong();
                        Expect('>');
                        if (first != 0 || last < 0 || last >= uint.MaxValue)
                            throw new FormatException($"Type '{text}' has a key range {first}-{last}; expected 0-N with N below {uint.MaxValue}.");
                        return new KeyDataViewType((ulong)last + 1);
                    }
                case "Boolean":
                    return BooleanDataViewType.Instance;
                case "String":
                    return TextDataViewType.Instance;
                default:
                    return name switch
                    {
                        "Single" => NumberDataViewType.Single,
                        "Double" => NumberDataViewType.Double,
                        "Byte" => NumberDataViewType.Byte,
                        "Int32" => NumberDataViewType.Int32,
                        "UInt32" => NumberDataViewType.UInt32,
                        "Int64" => NumberDataViewType.Int64,
                        _ => throw new FormatException(
                            $"Type '{text}' names unknown type '{name}'; expected Single, Double, Byte, Int32, UInt32, Int64, Boolean, String, Key<...> or Vector<...>."),
                    };
            }
        }

        public void SkipSpaces()
        {
            while (_pos < text.Length && text[_pos] == ' ')
                _pos++;
        }

        public FormatException Error(string expected)
        {
            var found = AtEnd ? "the end" : $"'{text[_pos]}'";
            return new FormatException($"Type '{text}' is malformed at position {_pos}: expected {expected}, found {found}.");
        }

        private string ReadName()
        {
            SkipSpaces();
            var start = _pos;
            while (_pos < text.Length && char.IsAsciiLetterOrDigit(text[_pos]))
                _pos++;
            if (_pos == start)
                throw Error("a type name");
            return text[start.._pos];
        }

        private long ReadLong()
        {
            SkipSpaces();
            var start = _pos;
            while (_pos < text.Length && char.IsAsciiDigit(text[_pos]))
                _pos++;
            if (_pos == start || !long.TryParse(text.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                throw Error("a number");
            return value;
        }

        private int ReadInt()
        {
            var value = ReadLong();
            return value is > 0 and <= int.MaxValue ? (int)value : throw new FormatException($"Type '{text}' has dimension {value}; dimensions are 1..{int.MaxValue}.");
        }

        private void Expect(char c)
        {
            if (!TryConsume(c))
                throw Error($"'{c}'");
        }

        private bool TryConsume(char c)
        {
            SkipSpaces();
            if (_pos < text.Length && text[_pos] == c)
            {
                _pos++;
                return true;
            }
            return false;
        }
    }
}
