using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetDigits;

/// <summary>
/// Corrections kept in one SQLite file (write-ahead logging, so readers never block the writer and a crash loses at most
/// the correction being written). Safe to use from many threads and processes at once: every call opens its own pooled
/// connection and waits for a busy database instead of failing. Read back as an ML.NET data view to fine-tune a CNN.
/// </summary>
public sealed class CorrectionStore
{
    /// <summary>The largest drawing stored with a correction: 2 MB (a canvas PNG is far smaller).</summary>
    public const int MaxDrawingBytes = 2 << 20;

    private const int PixelCount = DigitPreprocessor.FrameSize * DigitPreprocessor.FrameSize;
    private readonly string _connectionString;

    private CorrectionStore(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Opens (creating when missing) the store at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a corrections database.</exception>
    public static CorrectionStore Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(fullPath)!);
        var store = new CorrectionStore(fullPath);
        try
        {
            using var connection = store.Connect();
            using var command = connection.CreateCommand();
            command.CommandText = """
                PRAGMA journal_mode = WAL;
                CREATE TABLE IF NOT EXISTS corrections (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    created_utc TEXT NOT NULL,
                    label INTEGER NOT NULL,
                    predicted TEXT,
                    model_name TEXT NOT NULL,
                    model_version TEXT NOT NULL,
                    pixels BLOB NOT NULL,
                    drawing BLOB);
                """;
            command.ExecuteNonQuery();
        }
        catch (SqliteException e)
        {
            throw new InvalidDataException($"'{fullPath}' is not a corrections database SQLite can open ({e.Message}).", e);
        }
        return store;
    }

    /// <summary>
    /// Opens the store at <paramref name="path"/> only when it already is one: unlike <see cref="Open"/> it never creates the
    /// file, and never adds the corrections table to another SQLite database (a mistyped path to some other app's
    /// database is left as it was). For readers, such as fine-tuning, that must not write where they were pointed.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not an SQLite database, or one without a corrections table.</exception>
    public static CorrectionStore OpenExisting(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
            throw new InvalidDataException($"'{fullPath}' is a folder, not a corrections database.");
        if (!File.Exists(fullPath))
            throw new FileNotFoundException($"No corrections database at '{fullPath}'.", fullPath);
        var readOnly = new SqliteConnectionStringBuilder { DataSource = fullPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        try
        {
            using var connection = new SqliteConnection(readOnly);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'corrections';";
            if ((long)command.ExecuteScalar()! == 0)
                throw new InvalidDataException($"'{fullPath}' is an SQLite database without a corrections table: not a corrections database.");
        }
        catch (SqliteException e)
        {
            throw new InvalidDataException($"'{fullPath}' is not a corrections database SQLite can open ({e.Message}).", e);
        }
        return Open(fullPath);
    }

    /// <summary>Stores a correction and returns it with its id and time.</summary>
    /// <param name="label">The right class (0..9 for digits).</param>
    /// <param name="pixels">The 784 MNIST-style pixels the model saw (0..255).</param>
    /// <param name="predicted">What the model had answered, or null.</param>
    /// <param name="modelName">The model's name.</param>
    /// <param name="modelVersion">The model's version.</param>
    /// <param name="drawing">The drawing as a PNG, or null.</param>
    public Correction Add(uint label, ReadOnlySpan<float> pixels, string? predicted, string modelName, string modelVersion, byte[]? drawing = null)
    {
        if (label > 255)
            throw new ArgumentOutOfRangeException(nameof(label), label, "A label is a class number of at most 255 (0..9 for digits).");
        if (pixels.Length != PixelCount)
            throw new ArgumentException($"A correction holds the {PixelCount} pixels the model saw (28 x 28); got {pixels.Length}.", nameof(pixels));
        foreach (var v in pixels)
            if (!(v >= 0 && v <= 255))
                throw new ArgumentException($"Pixels must be numbers in 0..255; found {v}.", nameof(pixels));
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        ArgumentException.ThrowIfNullOrEmpty(modelVersion);
        if (drawing is { Length: > MaxDrawingBytes })
            throw new ArgumentException($"The drawing is {drawing.Length:N0} bytes; at most {MaxDrawingBytes:N0} are stored.", nameof(drawing));

        var bytes = new byte[PixelCount];
        for (int i = 0; i < PixelCount; i++)
            bytes[i] = (byte)MathF.Round(pixels[i]);
        var created = DateTimeOffset.UtcNow;
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO corrections (created_utc, label, predicted, model_name, model_version, pixels, drawing)
            VALUES ($created, $label, $predicted, $name, $version, $pixels, $drawing)
            RETURNING id;
            """;
        command.Parameters.AddWithValue("$created", created.ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$label", (long)label);
        command.Parameters.AddWithValue("$predicted", (object?)predicted ?? DBNull.Value);
        command.Parameters.AddWithValue("$name", modelName);
        command.Parameters.AddWithValue("$version", modelVersion);
        command.Parameters.AddWithValue("$pixels", bytes);
        command.Parameters.AddWithValue("$drawing", (object?)drawing ?? DBNull.Value);
        var id = (long)command.ExecuteScalar()!;
        return new Correction(id, created, label, predicted, modelName, modelVersion, [.. bytes.Select(b => (float)b)], drawing);
    }

    /// <summary>The number of corrections stored.</summary>
    public long Count()
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM corrections;";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Every correction, oldest first.</summary>
    public IReadOnlyList<Correction> ReadAll()
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, created_utc, label, predicted, model_name, model_version, pixels, drawing FROM corrections ORDER BY id;";
        using var reader = command.ExecuteReader();
        var list = new List<Correction>();
        while (reader.Read())
        {
            var pixels = (byte[])reader["pixels"];
            if (pixels.Length != PixelCount)
                throw new InvalidDataException($"Correction {reader.GetInt64(0)} in '{Path}' holds {pixels.Length} pixels, not {PixelCount}.");
            list.Add(new Correction(
                reader.GetInt64(0),
                DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture),
                (uint)reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4),
                reader.GetString(5),
                [.. pixels.Select(b => (float)b)],
                reader.IsDBNull(7) ? null : (byte[])reader["drawing"]));
        }
        return list;
    }

    /// <summary>
    /// The corrections as training data with the columns LoadFromIdx gives ("Label" UInt32, "Image" Vector&lt;Single, 784&gt;
    /// with its ImageShape), each row repeated <paramref name="repeat"/> times (to oversample them among many other images).
    /// </summary>
    public IDataView ToDataView(MLContext ml, int repeat = 1)
    {
        ArgumentNullException.ThrowIfNull(ml);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeat, 1);
        var rows = ReadAll();
        var labels = new byte[rows.Count * repeat];
        var pixels = new byte[rows.Count * repeat * PixelCount];
        for (int r = 0; r < repeat; r++)
            for (int i = 0; i < rows.Count; i++)
            {
                int row = r * rows.Count + i;
                labels[row] = (byte)rows[i].Label;
                for (int p = 0; p < PixelCount; p++)
                    pixels[row * PixelCount + p] = (byte)rows[i].Pixels[p];
            }
        return new IdxDataView(new IdxImages(labels.Length, DigitPreprocessor.FrameSize, DigitPreprocessor.FrameSize, pixels), labels);
    }

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 30000;";
        command.ExecuteNonQuery();
        return connection;
    }
}
