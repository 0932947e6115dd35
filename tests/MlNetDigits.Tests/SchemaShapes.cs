using System.Reflection;

namespace MlNetDigits.Tests;

/// <summary>
/// ML.NET's SchemaShape.Create is internal (ML.NET calls estimators' GetOutputSchema itself); tests that call an
/// estimator's GetOutputSchema directly make their SchemaShape through it by reflection.
/// </summary>
internal static class SchemaShapes
{
    public static SchemaShape Of(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", BindingFlags.NonPublic | BindingFlags.Static, [typeof(DataViewSchema)])!.Invoke(null, [schema])!;
}
