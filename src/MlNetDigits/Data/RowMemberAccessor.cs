using System.Linq.Expressions;
using System.Reflection;

namespace MlNetDigits.Data;

/// <summary>
/// Reads and writes one field or property of <typeparamref name="TRow"/> as a column value through delegates compiled
/// once from expression trees, so moving over rows costs no reflection (<c>LoadFromEnumerable</c>, <c>CreateEnumerable</c>).
/// </summary>
internal abstract class RowMemberAccessor<TRow> where TRow : class
{
    // The compiled accessors, made on first use and shared by every cursor (a benign race may compile one twice).
    private Delegate? _compiledGetter;
    private Delegate? _compiledSetter;

    private protected RowMemberAccessor(MemberInfo member, SchemaDefinition.Column definition)
    {
        Member = member;
        Definition = definition;
    }

    public MemberInfo Member { get; }

    public SchemaDefinition.Column Definition { get; }

    /// <summary>"RowType.Member", for messages.</summary>
    public string MemberDescription => $"{typeof(TRow).Name}.{Member.Name}";

    /// <summary>
    /// Binds <paramref name="definition"/> to its member of <typeparamref name="TRow"/>, checking that the member exists
    /// and that its CLR type can hold the column type.
    /// </summary>
    public static RowMemberAccessor<TRow> Create(SchemaDefinition.Column definition)
    {
        const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance;
        var member = (MemberInfo?)typeof(TRow).GetField(definition.MemberName, flags)
            ?? typeof(TRow).GetProperty(definition.MemberName, flags)
            ?? throw new ArgumentException(
                $"The schema definition maps column '{definition.ColumnName}' to member '{definition.MemberName}', which is not a public field or property of {typeof(TRow).Name}.");
        var clrType = SchemaDefinition.MemberType(member);
        var itemClrType = clrType.IsArray ? clrType.GetElementType()! : clrType;
        var columnType = definition.ColumnType;
        var where = $"Member '{typeof(TRow).Name}.{member.Name}' ({clrType.Name})";

        if (columnType is VectorDataViewType vector)
        {
            if (!clrType.IsArray || vector.ItemType.RawType != itemClrType)
                throw new ArgumentException($"{where} cannot hold column '{definition.ColumnName}' of type {vector}; it must be a {vector.ItemType.RawType.Name}[].");
        }
        else if (columnType is not null)
        {
            if (clrType != columnType.RawType)
                throw new ArgumentException($"{where} cannot hold column '{definition.ColumnName}' of type {columnType}; it must be a {columnType.RawType.Name}.");
        }
        else if (!clrType.IsArray || SchemaDefinition.PrimitiveFromClr(itemClrType) is null)
        {
            throw new ArgumentException($"{where} has no column type in the schema definition; only arrays of a scalar type may leave it unset.");
        }

        var accessorType = clrType.IsArray
            ? typeof(RowMemberAccessor<>.ArrayAccessor<>).MakeGenericType(typeof(TRow), itemClrType)
            : typeof(RowMemberAccessor<>.ScalarAccessor<>).MakeGenericType(typeof(TRow), clrType);
        return (RowMemberAccessor<TRow>)Activator.CreateInstance(accessorType, member, definition)!;
    }

    /// <summary>
    /// A <see cref="ValueGetter{TValue}"/> for the column, reading the member of <paramref name="current"/>'s row.
    /// </summary>
    public abstract Delegate MakeColumnGetter(Func<TRow> current, Func<long> position);

    /// <summary>
    /// An action that reads <paramref name="column"/> of <paramref name="row"/>'s current row into the member of the given
    /// object. With <paramref name="reuseArrays"/>, an existing array of the right length in the member is overwritten.
    /// </summary>
    public abstract Action<TRow> MakeMemberFiller(DataViewRow row, DataViewSchema.Column column, bool reuseArrays);

    /// <summary>True when the member has a public getter (fields always do).</summary>
    public bool IsReadable => Member is not PropertyInfo p || p.GetMethod is { IsPublic: true };

    /// <summary>True when the member can be assigned: a writable field or a property with a public setter.</summary>
    public bool IsWritable => Member switch
    {
        FieldInfo f => !f.IsInitOnly,
        PropertyInfo p => p.SetMethod is { IsPublic: true },
        _ => false,
    };

    /// <summary>Throws naming the member when loading would need to read it and it has no public getter.</summary>
    public void EnsureReadable()
    {
        if (!IsReadable)
            throw new ArgumentException($"Property '{MemberDescription}' has no public getter, so column '{Definition.ColumnName}' cannot be read from the objects; add one or mark it [NoColumn].");
    }

    /// <summary>Throws naming the member when reading rows into objects would need to assign it and it is read-only.</summary>
    public void EnsureWritable()
    {
        if (!IsWritable)
            throw new ArgumentException($"Member '{MemberDescription}' is read-only, so column '{Definition.ColumnName}' cannot be written into it; add a public setter or mark it [NoColumn].");
    }

    /// <summary>The member's getter as a delegate compiled once from an expression tree.</summary>
    private protected Func<TRow, TMember> CompileGetter<TMember>()
    {
        EnsureReadable();
        if (_compiledGetter is null)
        {
            var row = Expression.Parameter(typeof(TRow), "row");
            _compiledGetter = Expression.Lambda<Func<TRow, TMember>>(Expression.MakeMemberAccess(row, Member), row).Compile();
        }
        return (Func<TRow, TMember>)_compiledGetter;
    }

    /// <summary>The member's setter as a delegate compiled once from an expression tree.</summary>
    private protected Action<TRow, TMember> CompileSetter<TMember>()
    {
        EnsureWritable();
        if (_compiledSetter is null)
        {
            var row = Expression.Parameter(typeof(TRow), "row");
            var value = Expression.Parameter(typeof(TMember), "value");
            var assign = Expression.Assign(Expression.MakeMemberAccess(row, Member), value);
            _compiledSetter = Expression.Lambda<Action<TRow, TMember>>(assign, row, value).Compile();
        }
        return (Action<TRow, TMember>)_compiledSetter;
    }

    /// <summary>A scalar member (number, bool, string, key) whose CLR type is the column's raw type.</summary>
    private sealed class ScalarAccessor<T>(MemberInfo member, SchemaDefinition.Column definition)
        : RowMemberAccessor<TRow>(member, definition)
    {
        public override Delegate MakeColumnGetter(Func<TRow> current, Func<long> position)
        {
            var get = CompileGetter<T>();
            if (typeof(T) == typeof(string))
            {
                // A null string reads as empty text, as in ML.NET.
                var getText = (Func<TRow, string>)(object)get;
                return (ValueGetter<string>)((ref string value) => value = getText(current()) ?? string.Empty);
            }
            return (ValueGetter<T>)((ref T value) => value = get(current()));
        }

        public override Action<TRow> MakeMemberFiller(DataViewRow row, DataViewSchema.Column column, bool reuseArrays)
        {
            var set = CompileSetter<T>();
            var getter = row.GetGetter<T>(column);
            T value = default!;
            return target =>
            {
                getter(ref value);
                set(target, value);
            };
        }
    }

    /// <summary>An array member holding a vector column's items.</summary>
    private sealed class ArrayAccessor<T>(MemberInfo member, SchemaDefinition.Column definition)
        : RowMemberAccessor<TRow>(member, definition)
    {
        public override Delegate MakeColumnGetter(Func<TRow> current, Func<long> position)
        {
            var get = CompileGetter<T[]>();
            var type = (VectorDataViewType)(Definition.ColumnType ?? throw new InvalidOperationException(
                $"Member '{MemberDescription}' is an array without a size, so column '{Definition.ColumnName}' has no type: add [VectorType(size)] (or [VectorType(d1, d2, ...)]) to the member, or set ColumnType in a SchemaDefinition."));
            var size = type.Size;
            return (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) =>
            {
                var items = get(current()) ?? throw new InvalidOperationException(
                    $"Member '{MemberDescription}' is null in row {position()}; column '{Definition.ColumnName}' needs {size} items.");
                if (items.Length != size)
                    throw new InvalidOperationException(
                        $"Member '{MemberDescription}' holds {items.Length} items in row {position()}, but column '{Definition.ColumnName}' is {type} with {size}; make every array {size} long or fix [VectorType].");
                items.CopyTo(VBuffer<T>.Edit(ref value, size));
            });
        }

        public override Action<TRow> MakeMemberFiller(DataViewRow row, DataViewSchema.Column column, bool reuseArrays)
        {
            var set = CompileSetter<T[]>();
            var get = reuseArrays && IsReadable ? CompileGetter<T[]>() : null;
            var getter = row.GetGetter<VBuffer<T>>(column);
            VBuffer<T> buffer = default;
            return target =>
            {
                getter(ref buffer);
                var existing = get?.Invoke(target);
                if (existing is not null && existing.Length == buffer.Length)
                {
                    buffer.CopyTo(existing);
                    return;
                }
                set(target, buffer.ToArray());
            };
        }
    }
}
