using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace MlNetDigits.NotebookRunner;

/// <summary>
/// Runs a notebook's C# code cells in order with .NET Interactive's semantics: one script whose state carries from cell to
/// cell (<c>CSharpScript.RunAsync</c>, then <c>ContinueWithAsync</c>), <c>#r "path.dll"</c> relative to the notebook,
/// <c>display(x)</c>, the value of a trailing expression shown as the cell's result, and console output captured per
/// cell. The working directory is the notebook's folder while it runs. Stops at the first error.
/// </summary>
public sealed partial class NotebookExecutor
{
    private static readonly SemaphoreSlim ConsoleGate = new(1, 1);
    private static readonly string[] DefaultImports =
        ["System", "System.IO", "System.Collections.Generic", "System.Linq", "System.Text", "System.Threading.Tasks"];

    private readonly IReadOnlyDictionary<string, string> _packageMap;

    /// <param name="packageMap">
    /// Packages that <c>#r "nuget: Name, version"</c> may name, mapped to a built assembly's path; any other package
    /// reference is an error, because the runner restores nothing.
    /// </param>
    public NotebookExecutor(IReadOnlyDictionary<string, string>? packageMap = null) =>
        _packageMap = new Dictionary<string, string>(packageMap ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Executes every code cell of <paramref name="notebook"/> (read from <paramref name="notebookPath"/>, which fixes the
    /// folder <c>#r</c> paths and file paths are relative to) and records the outputs in the notebook's cells.
    /// </summary>
    public async Task<NotebookRunResult> RunAsync(Notebook notebook, string notebookPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        var folder = Path.GetDirectoryName(Path.GetFullPath(notebookPath))!;
        var name = Path.GetFileNameWithoutExtension(notebookPath);
        OutputCollector? current = null;
        var globals = new NotebookGlobals { CurrentCollector = () => current };
        var options = ScriptOptions.Default
            .WithReferences(FrameworkReferences())
            .WithImports(DefaultImports)
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(folder))
            .WithSourceResolver(new SourceFileResolver([], folder))
            .WithEmitDebugInformation(true)
            .WithFileEncoding(System.Text.Encoding.UTF8)
            .WithLanguageVersion(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest);

        var cells = new List<CellResult>();
        var watch = Stopwatch.StartNew();
        ScriptState<object>? state = null;
        int executionCount = 0;
        NotebookError? error = null;

        // One notebook at a time owns the console and the working directory of this process.
        await ConsoleGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var (oldOut, oldError, oldDirectory) = (Console.Out, Console.Error, Environment.CurrentDirectory);
        Console.SetOut(new CapturingWriter("stdout", () => current, oldOut));
        Console.SetError(new CapturingWriter("stderr", () => current, oldError));
        Environment.CurrentDirectory = folder;
        try
        {
            for (int index = 0; index < notebook.Cells.Count; index++)
            {
                var cell = notebook.Cells[index] as JsonObject;
                if (cell is null || Notebook.CellType(cell) != "code")
                    continue;
                if (error is not null)
                {
                    // Cells after the failure did not run: clear what an earlier run left in them.
                    cell["outputs"] = new JsonArray();
                    cell["execution_count"] = null;
                    continue;
                }
                cancellationToken.ThrowIfCancellationRequested();
                executionCount++;
                var collector = current = new OutputCollector();
                var cellNumber = index + 1;
                var cellWatch = Stopwatch.StartNew();
                var cellPath = Path.Combine(folder, $"{name}.cell{cellNumber}.csx");
                try
                {
                    var code = Prepare(Notebook.Source(cell), cellNumber);
                    var cellOptions = options.WithFilePath(cellPath);
                    state = state is null
                        ? await CSharpScript.RunAsync(code, cellOptions, globals, typeof(NotebookGlobals), cancellationToken).ConfigureAwait(false)
                        : await state.ContinueWithAsync(code, cellOptions, cancellationToken).ConfigureAwait(false);
                    if (state.ReturnValue is { } value)
                        collector.Add(new DisplayOutput(ValueFormatter.Format(value), executionCount));
                }
                catch (CompilationErrorException e)
                {
                    var first = e.Diagnostics.FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error) ?? e.Diagnostics.First();
                    var line = first.Location.IsInSource ? first.Location.GetLineSpan().StartLinePosition.Line + 1 : (int?)null;
                    var messages = e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)
                        .Select(d => d.Location.IsInSource ? $"({d.Location.GetLineSpan().StartLinePosition.Line + 1},{d.Location.GetLineSpan().StartLinePosition.Character + 1}): {d.Id}: {d.GetMessage()}" : $"{d.Id}: {d.GetMessage()}")
                        .ToList();
                    error = new NotebookError(cellNumber, line, "CompilationError", string.Join("\n", messages), messages);
                }
                catch (NotebookCellException e)
                {
                    error = new NotebookError(cellNumber, e.Line, "UnsupportedDirective", e.Message, [e.Message]);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    var thrown = e is TargetInvocationException { InnerException: { } inner } ? inner : e;
                    error = new NotebookError(cellNumber, LineIn(thrown, cellPath), thrown.GetType().FullName ?? thrown.GetType().Name,
                        thrown.Message, Traceback(thrown));
                }
                current = null;
                if (error is not null)
                    collector.Add(new ErrorOutput(error.Name, error.Message, error.Traceback));
                cell["execution_count"] = executionCount;
                cell["outputs"] = new JsonArray([.. collector.Outputs.Select(o => (JsonNode)o.ToJson())]);
                cells.Add(new CellResult(cellNumber, collector.Outputs, cellWatch.Elapsed));
            }
        }
        finally
        {
            current = null;
            Console.SetOut(oldOut);
            Console.SetError(oldError);
            Environment.CurrentDirectory = oldDirectory;
            ConsoleGate.Release();
        }
        return new NotebookRunResult(cells, error, watch.Elapsed);
    }

    /// <summary>
    /// The cell's code with the notebook-only directives handled, line numbers kept: <c>#!csharp</c> is dropped, another
    /// <c>#!</c> magic is refused, <c>#i</c> (a package source) is dropped, and <c>#r "nuget: Name, version"</c> becomes a
    /// <c>#r</c> of the mapped assembly or an error that says how to reference the built assembly instead.
    /// </summary>
    internal string Prepare(string source, int cellNumber)
    {
        var lines = source.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].Trim();
            if (trimmed.StartsWith("#!", StringComparison.Ordinal))
            {
                if (trimmed is "#!csharp" or "#!c#" or "#!C#")
                {
                    lines[i] = "";
                    continue;
                }
                throw new NotebookCellException(i + 1,
                    $"Cell {cellNumber}, line {i + 1}: the magic command '{trimmed.Split(' ')[0]}' is not supported by the notebook runner (only C# cells run); remove it or run the notebook in Polyglot Notebooks.");
            }
            if (trimmed.StartsWith("#i ", StringComparison.Ordinal))
            {
                lines[i] = "";
                continue;
            }
            if (NuGetReference().Match(trimmed) is { Success: true } match)
            {
                var package = match.Groups["name"].Value.Trim();
                var version = match.Groups["version"].Value.Trim();
                if (!_packageMap.TryGetValue(package, out var assembly))
                    throw new NotebookCellException(i + 1,
                        $"Cell {cellNumber}, line {i + 1}: #r \"nuget: {package}{(version.Length > 0 ? ", " + version : "")}\" needs a package restore, which the notebook runner does not do. " +
                        "Reference the built assembly instead (#r \"../src/MlNetDigits/bin/Release/net10.0/MlNetDigits.dll\" after dotnet build -c Release), " +
                        $"or map the package to one: --package-map {package}=path/to/{package}.dll.");
                lines[i] = $"#r \"{Path.GetFullPath(assembly)}\"";
            }
        }
        return string.Join("\n", lines);
    }

    /// <summary>The exception's text without the frames of the script host and the runner below the cell's code.</summary>
    private static List<string> Traceback(Exception exception)
    {
        var lines = exception.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var hostFrame = lines.FindIndex(l => l.TrimStart().StartsWith("at Microsoft.CodeAnalysis.Scripting.", StringComparison.Ordinal));
        if (hostFrame > 0 && lines[hostFrame - 1].Contains("--- End of stack trace", StringComparison.Ordinal))
            hostFrame--;
        return hostFrame > 0 ? lines[..hostFrame] : lines;
    }

    /// <summary>The line of the cell's code where <paramref name="exception"/> was thrown (its deepest frame in the cell), or null.</summary>
    private static int? LineIn(Exception exception, string cellPath)
    {
        var frames = new StackTrace(exception, fNeedFileInfo: true).GetFrames();
        foreach (var frame in frames)
            if (string.Equals(frame.GetFileName(), cellPath, StringComparison.Ordinal) && frame.GetFileLineNumber() > 0)
                return frame.GetFileLineNumber();
        return null;
    }

    /// <summary>Every assembly of the shared framework, as .NET Interactive's C# kernel references them.</summary>
    private static IEnumerable<MetadataReference> FrameworkReferences()
    {
        var frameworkFolder = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var trusted = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return trusted
            .Where(p => string.Equals(Path.GetDirectoryName(p), frameworkFolder, StringComparison.Ordinal) && p.EndsWith(".dll", StringComparison.Ordinal))
            .Where(p => !Path.GetFileName(p).StartsWith("Microsoft.VisualBasic", StringComparison.Ordinal) && IsManaged(p))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p));
    }

    private static bool IsManaged(string path)
    {
        try
        {
            AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    [GeneratedRegex("^#r\\s+\"nuget:\\s*(?<name>[^,\"]+)(,(?<version>[^\"]*))?\"", RegexOptions.IgnoreCase)]
    private static partial Regex NuGetReference();
}
