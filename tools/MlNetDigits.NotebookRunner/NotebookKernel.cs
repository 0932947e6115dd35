using System.Diagnostics;
using System.Globalization;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive.Formatting.Csv;
using Microsoft.DotNet.Interactive.Formatting.TabularData;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace MlNetDigits.NotebookRunner;

/// <summary>
/// A fresh .NET Interactive kernel set up as Polyglot Notebooks sets up its C# kernel (dotnet-interactive's
/// KernelBuilder): a composite kernel whose default is <c>csharp</c>, with <c>#r "nuget: ..."</c> and <c>#i</c>,
/// the kernel helpers (<c>display</c>), <c>#!who</c> and value sharing, and the formatter defaults of a notebook
/// front end (HTML by default, strings as plain text). Cells run under the invariant culture, whatever the machine's
/// locale, so numbers and dates in committed outputs read the same on every machine.
/// </summary>
internal sealed class NotebookKernel
{
    private readonly CompositeKernel _kernel;
    private int _executionCount;

    private NotebookKernel(CompositeKernel kernel) => _kernel = kernel;

    /// <summary>
    /// Starts a kernel. Formatters are process-wide in .NET Interactive, so they are reset first: what one notebook
    /// registered does not leak into the next, as with VS Code's one kernel process per notebook.
    /// </summary>
    public static NotebookKernel Start()
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        Formatter.ResetToDefault();
        Formatter.DefaultMimeType = HtmlFormatter.MimeType;
        Formatter.SetPreferredMimeTypesFor(typeof(string), PlainTextFormatter.MimeType);
        Formatter.SetPreferredMimeTypesFor(typeof(TabularDataResource), HtmlFormatter.MimeType, CsvFormatter.MimeType);

        var csharp = new CSharpKernel()
            .UseNugetDirective((kernel, packages) =>
            {
                kernel.AddAssemblyReferences(packages.SelectMany(p => p.AssemblyPaths));
                return Task.CompletedTask;
            })
            .UseKernelHelpers()
            .UseWho()
            .UseValueSharing();
        var composite = new CompositeKernel();
        composite.Add(csharp, ["c#", "C#"]);
        composite.DefaultKernelName = csharp.Name;
        return new NotebookKernel(composite);
    }

    /// <summary>Submits one cell's code and collects what it produced; a failure does not throw, it is in the result.</summary>
    public async Task<CellRun> RunCellAsync(string code)
    {
        var collector = new OutputCollector(++_executionCount);
        var stopwatch = Stopwatch.StartNew();
        var result = await _kernel.SendAsync(new SubmitCode(code)).ConfigureAwait(false);
        foreach (var kernelEvent in result.Events)
            collector.Add(kernelEvent);
        return new CellRun(collector.Outputs, collector.Failure, stopwatch.Elapsed);
    }
}
