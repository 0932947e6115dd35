using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace MlNetDigits.NotebookRunner.Tests;

/// <summary>
/// A tiny NuGet package made on the spot in a folder feed: one assembly compiled with Roslyn from
/// <see cref="Source"/>. Its version carries a hash of the source, so a changed source never meets a stale copy in
/// the machine's package cache.
/// </summary>
internal static class TestPackage
{
    public const string Id = "MlNetDigits.NotebookRunner.TestPackage";

    public const string Source = """
        namespace NotebookRunnerTestPackage;
        public static class Greeter
        {
            public static string Hello(string name) => "Hello from the local feed, " + name;
        }
        """;

    public static string Version { get; } =
        "1.0.0-t" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Source)))[..10];

    /// <summary>Writes <c>Id.Version.nupkg</c> into <paramref name="feed"/> (created if missing) unless it is there.</summary>
    public static void WriteTo(string feed)
    {
        Directory.CreateDirectory(feed);
        var path = Path.Combine(feed, $"{Id}.{Version}.nupkg");
        if (File.Exists(path))
            return;
        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var compilation = CSharpCompilation.Create(
            Id,
            [CSharpSyntaxTree.ParseText(Source)],
            [
                MetadataReference.CreateFromFile(typeof(object).Assembly.Location),
                MetadataReference.CreateFromFile(Path.Combine(runtime, "System.Runtime.dll")),
            ],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, deterministic: true));
        using var assembly = new MemoryStream();
        var emitted = compilation.Emit(assembly);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));

        // Written under a temporary name and renamed, so a run stopped half-way leaves no broken package behind.
        var temporary = path + $".{Environment.ProcessId}.tmp";
        using (var package = ZipFile.Open(temporary, ZipArchiveMode.Create))
        {
            using (var nuspec = new StreamWriter(package.CreateEntry($"{Id}.nuspec").Open()))
            {
                nuspec.Write($"""
                    <?xml version="1.0" encoding="utf-8"?>
                    <package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
                      <metadata>
                        <id>{Id}</id>
                        <version>{Version}</version>
                        <authors>MlNetDigits tests</authors>
                        <description>Made by the notebook runner's tests.</description>
                      </metadata>
                    </package>
                    """);
            }
            using var dll = package.CreateEntry($"lib/net10.0/{Id}.dll").Open();
            assembly.Position = 0;
            assembly.CopyTo(dll);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
