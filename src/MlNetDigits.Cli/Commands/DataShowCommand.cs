using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetDigits.Cli.Rendering;

namespace MlNetDigits.Cli.Commands;

/// <summary>
/// <c>mlnetdigits data show</c>: a summary of one split of a data set (rows, image size, class counts with bars) and a
/// few of its images drawn as terminal art, optionally only those of one class. Fetches MNIST first when it is missing
/// from the default data root.
/// </summary>
internal static class DataShowCommand
{
    private const int BarWidth = 30;

    public static Command Create(CliEnvironment env, GlobalOptions global)
    {
        var data = new Option<string>("--data")
        {
            Description = DatasetArguments.Description,
            DefaultValueFactory = _ => "mnist",
            HelpName = DatasetArguments.HelpName,
        };
        var split = new Option<string>("--split") { Description = "Which split to show.", DefaultValueFactory = _ => "train" };
        split.AcceptOnlyFromAmong("train", "test");
        var digit = new Option<int?>("--digit") { Description = "Show only images of this class (label value).", HelpName = "D" };
        var count = new Option<int>("--count") { Description = "How many images to draw (0 for the summary only).", DefaultValueFactory = _ => 6, HelpName = "N" };
        var command = new Command("show", "Summarise a data set split and draw some of its images.") { data, split, digit, count };
        command.SetAction((parse, cancellationToken) => CliApp.Guard(env, () => RunAsync(
            env, env.DataRoot(parse.GetValue(global.DataDir)), parse.GetValue(data)!,
            parse.GetValue(split) == "test" ? DatasetSplit.Test : DatasetSplit.Train, parse.GetValue(digit), parse.GetValue(count), cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(
        CliEnvironment env, DataRoot root, string dataName, DatasetSplit split, int? digit, int count, CancellationToken cancellationToken)
    {
        // Checked here rather than in option validators, which throw on values that did not convert.
        if (count is < 0 or > 1000)
            throw new UsageException($"--count must be between 0 and 1000, not {count}.");
        if (digit is < 0 or > 255)
            throw new UsageException($"--digit must be a label value between 0 and 255 (0 to 9 for MNIST and Fashion-MNIST), not {digit}.");
        var dataset = root.Locator.Resolve(dataName);
        if (digit is { } d && dataset.ClassNames is { } names && d >= names.Count)
            throw new UsageException($"--digit {d} is not a class of {dataset.Description}; expected 0 to {names.Count - 1}.");

        dataset = await DatasetArguments.EnsureAvailableAsync(env, root, dataName, split, cancellationToken).ConfigureAwait(false);

        var view = new MLContext().Data.LoadFromIdxFolder(dataset.Folder, split);
        var (labels, shown) = Read(view, digit, count, cancellationToken);
        // LoadFromIdx records the images' shape on the image column.
        var (_, height, width) = ImageColumn.ShapeOf(view.Schema["Image"]) ?? throw new InvalidDataException($"The image column of {dataset.Description} records no shape.");
        var shape = (Height: height, Width: width);

        WriteSummary(env.Out, dataset, split, labels, shape.Height, shape.Width);
        if (count == 0)
            return CliApp.Success;
        if (shown.Count == 0)
        {
            await env.Error.WriteLineAsync($"mlnetdigits: no images with label {digit} in the {Lower(split)} split of {dataset.Folder}.").ConfigureAwait(false);
            return CliApp.Failure;
        }

        var matching = digit is { } m ? labels.Count(l => l == m) : labels.Count;
        var first = shown.Count == 1 ? "The first" : $"The first {shown.Count}";
        var images = shown.Count == 1 ? "image" : "images";
        await env.Out.WriteLineAsync(digit is { } c
            ? $"{first} of {matching:N0} images of class {dataset.ClassName((uint)c)}:"
            : $"{first} {images}:").ConfigureAwait(false);
        await env.Out.WriteLineAsync().ConfigureAwait(false);
        var art = shown.Select(s => ($"#{s.Row} {ImageCaption(dataset, s.Label)}", DigitArt.Render(s.Pixels, shape.Height, shape.Width))).ToList();
        DigitArt.WriteGrid(env.Out, art, shape.Width, env.Width);
        return CliApp.Success;
    }

    /// <summary>Reads every label, and the pixels of the first <paramref name="count"/> rows of class <paramref name="digit"/> (any class when null).</summary>
    private static (List<uint> Labels, List<(long Row, uint Label, float[] Pixels)> Shown) Read(IDataView view, int? digit, int count, CancellationToken cancellationToken)
    {
        var labelColumn = view.Schema["Label"];
        var imageColumn = view.Schema["Image"];
        var labels = new List<uint>((int)(view.GetRowCount() ?? 0));
        var shown = new List<(long, uint, float[])>();
        using var cursor = view.GetRowCursor([labelColumn, imageColumn]);
        var getLabel = cursor.GetGetter<uint>(labelColumn);
        var getImage = cursor.GetGetter<VBuffer<float>>(imageColumn);
        uint label = 0;
        VBuffer<float> image = default;
        while (cursor.MoveNext())
        {
            if ((cursor.Position & 0xFFF) == 0)
                cancellationToken.ThrowIfCancellationRequested();
            getLabel(ref label);
            labels.Add(label);
            if (shown.Count < count && (digit is null || label == digit))
            {
                getImage(ref image);
                shown.Add((cursor.Position, label, image.DenseValues().ToArray()));
            }
        }
        return (labels, shown);
    }

    private static void WriteSummary(TextWriter output, DatasetInfo dataset, DatasetSplit split, List<uint> labels, int height, int width)
    {
        output.WriteLine($"{dataset.Description}, {Lower(split)} split");
        output.WriteLine($"  folder:  {dataset.Folder}");
        output.WriteLine($"  rows:    {labels.Count:N0} images of {height} x {width} pixels (values 0..255)");
        var counts = labels.GroupBy(l => l).OrderBy(g => g.Key).Select(g => (Label: g.Key, Count: g.Count())).ToList();
        output.WriteLine($"  classes: {counts.Count}");
        var max = counts.Count == 0 ? 1 : counts.Max(c => c.Count);
        var nameWidth = counts.Count == 0 ? 1 : counts.Max(c => Caption(dataset, c.Label).Length);
        var countWidth = max.ToString("N0", CultureInfo.InvariantCulture).Length;
        foreach (var (l, n) in counts)
        {
            var share = labels.Count == 0 ? 0 : 100.0 * n / labels.Count;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    {Caption(dataset, l).PadRight(nameWidth)}  {n.ToString("N0", CultureInfo.InvariantCulture).PadLeft(countWidth)}  {DigitArt.Bar((double)n / max, BarWidth).PadRight(BarWidth)}  {share,5:0.0}%"));
        }
        output.WriteLine();
    }

    /// <summary>"7" for digits, "0 T-shirt/top" for named classes.</summary>
    private static string Caption(DatasetInfo dataset, uint label)
    {
        var name = dataset.ClassName(label);
        var value = label.ToString(CultureInfo.InvariantCulture);
        return name == value ? value : $"{value} {name}";
    }

    /// <summary>"label 7" for digits, "Sneaker (7)" for named classes.</summary>
    private static string ImageCaption(DatasetInfo dataset, uint label)
    {
        var name = dataset.ClassName(label);
        var value = label.ToString(CultureInfo.InvariantCulture);
        return name == value ? $"label {value}" : $"{name} ({value})";
    }

    private static string Lower(DatasetSplit split) => split == DatasetSplit.Test ? "test" : "train";
}
