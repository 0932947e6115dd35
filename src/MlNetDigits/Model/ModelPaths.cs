namespace MlNetDigits.Model;

/// <summary>Rules for entry names inside a model file: relative, '/'-separated, never escaping their folder.</summary>
internal static class ModelPaths
{
    /// <summary>Throws unless <paramref name="name"/> is a safe relative entry name.</summary>
    public static void CheckRelativeName(string name)
    {
        if (!IsSafeRelative(name))
            throw new InvalidModelException($"Model entry name '{name}' is not allowed: names are relative, use '/' separators and never contain '..', '.', '\\' or a drive.");
    }

    /// <summary>True for relative '/'-separated paths without empty, '.' or '..' segments, backslashes, colons or control characters.</summary>
    public static bool IsSafeRelative(string name)
    {
        if (string.IsNullOrEmpty(name) || name.StartsWith('/') || name.Contains('\\') || name.Contains(':'))
            return false;
        foreach (var segment in name.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == ".." || segment.Any(char.IsControl))
                return false;
        }
        return true;
    }
}
