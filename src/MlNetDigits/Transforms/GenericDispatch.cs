using System.Reflection;
using System.Runtime.ExceptionServices;

namespace MlNetDigits.Transforms;

/// <summary>Calls a generic static method closed over a column's raw item type (once per fit or cursor, never per row).</summary>
internal static class GenericDispatch
{
    /// <summary>Invokes <paramref name="owner"/>.<paramref name="method"/>&lt;<paramref name="typeArgument"/>&gt;(<paramref name="args"/>).</summary>
    public static TResult Invoke<TResult>(Type owner, string method, Type typeArgument, params object?[] args)
    {
        var info = owner.GetMethod(method, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            ?? throw new MissingMethodException(owner.FullName, method);
        try
        {
            return (TResult)info.MakeGenericMethod(typeArgument).Invoke(null, args)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}
