using System.Reflection;

namespace MlNetDigits.Data;

/// <summary>
/// How the public fields and properties of a row class map to data view columns: a column name, a type and
/// annotations per member. <see cref="Create"/> reads it off the class and its attributes (<see cref="ColumnNameAttribute"/>,
/// <see cref="VectorTypeAttribute"/>, <see cref="KeyTypeAttribute"/>, <see cref="NoColumnAttribute"/>); edit the result to
/// rename columns, set a vector size or add annotations without touching the class, as with ML.NET's SchemaDefinition.
/// </summary>
public sealed class SchemaDefinition : List<SchemaDefinition.Column>
{
    /// <summary>The column definition named <paramref name="columnName"/>; throws naming the defined columns when absent.</summary>
    public Column this[string columnName] =>
        this.LastOrDefault(c => c.ColumnName == columnName)
        ?? throw new ArgumentOutOfRangeException(nameof(columnName),
            $"No column '{columnName}' in this schema definition. Defined columns: {string.Join(", ", this.Select(c => $"'{c.ColumnName}'"))}.");

    /// <summary>Which members <see cref="Create"/> takes: those that can be read, written, or either.</summary>
    [Flags]
    public enum Direction
    {
        /// <summary>Members whose values are read from objects (loading rows from them): fields and properties with a public getter.</summary>
        Read = 1,

        /// <summary>Members that objects receive values through (reading rows into them): fields and properties with a public setter.</summary>
        Write = 2,

        /// <summary>Fields and properties with a public getter or a public setter.</summary>
        Both = Read | Write,
    }

    /// <summary>
    /// The definition of <paramref name="userType"/>: its public instance fields, then its public instance properties that
    /// suit <paramref name="direction"/> (indexers and members marked <see cref="NoColumnAttribute"/> left out), in
    /// declaration order. Two members mapping to one column name are an error.
    /// </summary>
    /// <remarks>
    /// Member types map as: float → Single, double → Double, byte → Byte, int → Int32, uint → UInt32 (a key with
    /// <see cref="KeyTypeAttribute"/>), long → Int64, bool → Boolean, string → String; an array of one of them is a vector
    /// whose size comes from <see cref="VectorTypeAttribute"/> (without it the column type stays null: fine for reading
    /// rows into objects, an error for loading rows from them).
    /// </remarks>
    public static SchemaDefinition Create(Type userType, Direction direction = Direction.Both)
    {
        ArgumentNullException.ThrowIfNull(userType);
        var definition = new SchemaDefinition();
        foreach (var member in GetCandidateMembers(userType, direction))
        {
            var name = member.GetCustomAttribute<ColumnNameAttribute>()?.Name ?? member.Name;
            if (definition.Any(c => c.ColumnName == name))
                throw new ArgumentException(
                    $"{userType.Name} maps two members to column '{name}'; give one of them another [ColumnName] or mark it [NoColumn].", nameof(userType));
            definition.Add(new Column(member.Name, MapType(userType, member), name));
        }
        return definition;
    }

    /// <summary>Public instance fields then properties of <paramref name="type"/> that map to columns in <paramref name="direction"/>.</summary>
    internal static IEnumerable<MemberInfo> GetCandidateMembers(Type type, Direction direction)
    {
        const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance;
        var fields = type.GetFields(flags).OrderBy(f => f.MetadataToken).Cast<MemberInfo>();
        var properties = type.GetProperties(flags)
            .Where(p => p.GetIndexParameters().Length == 0)
            .Where(p => (direction.HasFlag(Direction.Read) && p.GetMethod is { IsPublic: true })
                || (direction.HasFlag(Direction.Write) && p.SetMethod is { IsPublic: true }))
            .OrderBy(p => p.MetadataToken);
        return fields.Concat(properties).Where(m => m.GetCustomAttribute<NoColumnAttribute>() is null);
    }

    /// <summary>The CLR type of a field or property.</summary>
    internal static Type MemberType(MemberInfo member) => member switch
    {
        FieldInfo f => f.FieldType,
        PropertyInfo p => p.PropertyType,
        _ => throw new ArgumentException($"Member '{member.Name}' is neither a field nor a property.", nameof(member)),
    };

    /// <summary>
    /// The column type of <paramref name="member"/> from its CLR type and attributes; null for an array without a size.
    /// Throws <see cref="NotSupportedException"/> naming the member for a type that has no column type.
    /// </summary>
    internal static DataViewType? MapType(Type userType, MemberInfo member)
    {
        var clrType = MemberType(member);
        var isArray = clrType.IsArray;
        var itemClrType = isArray ? clrType.GetElementType()! : clrType;
        if (isArray && clrType.GetArrayRank() != 1)
            throw new NotSupportedException(
                $"Member '{userType.Name}.{member.Name}' is a {clrType.Name}: use a one-dimensional array with [VectorType(d1, d2, ...)] for a multi-dimensional vector.");

        PrimitiveDataViewType itemType;
        if (member.GetCustomAttribute<KeyTypeAttribute>() is { } key)
        {
            if (itemClrType != typeof(uint))
                throw new NotSupportedException(
                    $"Member '{userType.Name}.{member.Name}' has [KeyType] but is {clrType.Name}; keys are stored as UInt32, so declare it uint (or uint[]).");
            itemType = new KeyDataViewType(key.Count);
        }
        else
        {
            itemType = PrimitiveFromClr(itemClrType) ?? throw new NotSupportedException(
                $"Member '{userType.Name}.{member.Name}' is {clrType.Name}, which has no column type. Supported: float, double, byte, int, uint, long, bool, string and arrays of them; mark the member [NoColumn] to leave it out.");
        }

        var vector = member.GetCustomAttribute<VectorTypeAttribute>();
        if (!isArray)
        {
            if (vector is not null)
                throw new NotSupportedException(
                    $"Member '{userType.Name}.{member.Name}' has [VectorType] but is a scalar {clrType.Name}; declare it as an array ({itemClrType.Name}[]).");
            return itemType;
        }
        return vector is null || vector.Dimensions.Count == 0 ? null : new VectorDataViewType(itemType, [.. vector.Dimensions]);
    }

    /// <summary>The scalar column type whose raw type is <paramref name="clrType"/>, or null.</summary>
    internal static PrimitiveDataViewType? PrimitiveFromClr(Type clrType) =>
        clrType == typeof(bool) ? BooleanDataViewType.Instance
        : clrType == typeof(string) ? TextDataViewType.Instance
        : NumberDataViewType.FromRawType(clrType);

    /// <summary>One member's column: the member it reads and writes, the column's name, type and annotations.</summary>
    public sealed class Column
    {
        /// <param name="memberName">The field or property of the row class.</param>
        /// <param name="columnType">The column type; null for an array member whose size is not known.</param>
        /// <param name="columnName">The column name; the member name when null.</param>
        public Column(string memberName, DataViewType? columnType, string? columnName = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(memberName);
            MemberName = memberName;
            ColumnName = columnName ?? memberName;
            ColumnType = columnType;
        }

        /// <summary>The field or property of the row class.</summary>
        public string MemberName { get; set; }

        /// <summary>The data view column's name.</summary>
        public string ColumnName { get; set; }

        /// <summary>The data view column's type; null for an array whose size is not known.</summary>
        public DataViewType? ColumnType { get; set; }

        /// <summary>Annotations the loaded column carries (e.g. an image shape).</summary>
        public DataViewSchema.Annotations Annotations { get; set; } = DataViewSchema.Annotations.Empty;

        public override string ToString() => $"{MemberName} -> {ColumnName}: {ColumnType?.ToString() ?? "vector of unknown size"}";
    }
}
