using Microsoft.ML;
using MlNetDigits.Engine.Onnx;

namespace MlNetDigits;

/// <summary>
/// Several trained CNNs as one model that averages their class probabilities: Score = mean over members of each
/// member's calibrated softmax, PredictedLabel its arg-max; and, when every member has one, OodScore = mean over members
/// of each member's out-of-distribution score (each already relative to its own threshold, so the ensemble's threshold is
/// 0 too; the mean rather than the maximum, so that one member's doubt does not flag what the others find typical, and
/// the share of real digits flagged stays about that of one member, not the sum). The members' networks go into one ONNX graph (each with its
/// own normalisation and temperature), so the ensemble is an <see cref="ImageClassificationTransformer"/> like any other:
/// it saves as a standard ML.NET zip, loads without this library and exports to ONNX.
/// </summary>
public static class ImageClassificationEnsemble
{
    /// <summary>Combines <paramref name="members"/> (at least one; same input and classes; ensembles are opened up).</summary>
    /// <exception cref="ArgumentException">The members read other images or predict other classes.</exception>
    public static ImageClassificationTransformer Create(IReadOnlyList<ImageClassificationTransformer> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0)
            throw new ArgumentException("An ensemble needs at least one member.", nameof(members));
        var first = members[0];
        var networks = new List<(MlNetDigits.Engine.Layers.Sequential Network, CnnModelInfo Info, MlNetDigits.Engine.Ood.OodScoreHead? Ood)>();
        foreach (var (member, i) in members.Select((m, i) => (m, i)))
        {
            if (!member.Info.InputShape.SequenceEqual(first.Info.InputShape) || member.Info.InputColumnName != first.Info.InputColumnName)
                throw new ArgumentException($"Member {i} reads '{member.Info.InputColumnName}' {string.Join("x", member.Info.InputShape)}; member 0 reads '{first.Info.InputColumnName}' {string.Join("x", first.Info.InputShape)}.", nameof(members));
            if (!member.LabelColumn.Type.Equals(first.LabelColumn.Type) || !member.Info.ClassNames.SequenceEqual(first.Info.ClassNames))
                throw new ArgumentException($"Member {i} predicts classes [{string.Join(", ", member.Info.ClassNames)}]; member 0 predicts [{string.Join(", ", first.Info.ClassNames)}]. Ensemble members must share their classes.", nameof(members));
            networks.AddRange(CnnNetwork.RebuildAll(member.Info, member.GetOnnxModel()));
        }
        var info = new CnnModelInfo
        {
            InputColumnName = first.Info.InputColumnName,
            InputShape = first.Info.InputShape,
            Layers = [],
            Mean = first.Info.Mean,
            StandardDeviation = first.Info.StandardDeviation,
            PixelScale = first.Info.PixelScale,
            Temperature = 1,
            ClassNames = first.Info.ClassNames,
            Members = [.. networks.Select(n => n.Info with { History = n.Info.History })],
        };
        var onnx = OnnxExporter.ExportEnsemble([.. networks.Select(n => (n.Network, CnnOnnxExport.Options(n.Info, n.Ood)))], CnnOnnxExport.Options(info, null));
        var chain = OnnxScoringChain.Build(new MLContext(0), onnx, info.InputColumnName, first.LabelColumn, new EmptyDataView(first.Model.GetOutputSchema(SchemaOf(first))), null, false);
        return new ImageClassificationTransformer(chain, onnx, info, first.LabelColumn);
    }

    // The CNN reads only its image column; a schema with it (and the label) is all the ONNX transform's fit needs.
    private static DataViewSchema SchemaOf(ImageClassificationTransformer model)
    {
        var builder = new DataViewSchema.Builder();
        var c = model.Info.InputShape;
        builder.AddColumn(model.Info.InputColumnName, c[0] == 1
            ? new Microsoft.ML.Data.VectorDataViewType(Microsoft.ML.Data.NumberDataViewType.Single, c[1], c[2])
            : new Microsoft.ML.Data.VectorDataViewType(Microsoft.ML.Data.NumberDataViewType.Single, c[0], c[1], c[2]));
        return builder.ToSchema();
    }
}
