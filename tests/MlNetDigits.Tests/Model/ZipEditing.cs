using System.IO.Compression;

namespace MlNetDigits.Tests.Model;

/// <summary>Reads and rewrites model zips in tests, to forge damaged or hostile files.</summary>
internal static class ZipEditing
{
    public static List<(string Name, byte[] Data)> ReadAll(byte[] zipBytes)
    {
        using var zip = new ZipArchive(new MemoryStream(zipBytes), ZipArchiveMode.Read);
        var entries = new List<(string, byte[])>();
        foreach (var e in zip.Entries)
        {
            using var s = e.Open();
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            entries.Add((e.FullName, ms.ToArray()));
        }
        return entries;
    }

    public static byte[] Write(IEnumerable<(string Name, byte[] Data)> entries)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data) in entries)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                s.Write(data);
            }
        }
        return ms.ToArray();
    }

    /// <summary>A copy of <paramref name="zipBytes"/> with entry <paramref name="name"/>'s content replaced.</summary>
    public static byte[] Replace(byte[] zipBytes, string name, Func<byte[], byte[]> edit)
    {
        var entries = ReadAll(zipBytes);
        Assert.Contains(entries, e => e.Name == name);
        return Write(entries.Select(e => e.Name == name ? (e.Name, edit(e.Data)) : e));
    }

    /// <summary>The offset and length of the compressed data of entry <paramref name="name"/> (from its local header).</summary>
    public static (int Offset, int Length) FindCompressedData(byte[] zipBytes, string name)
    {
        var nameBytes = System.Text.Encoding.UTF8.GetBytes(name);
        for (int i = 0; i + 30 < zipBytes.Length; i++)
        {
            // Local file header: signature PK\x03\x04, compressed size at 18, name length at 26, extra length at 28.
            if (BitConverter.ToUInt32(zipBytes, i) != 0x04034b50)
                continue;
            int nameLength = BitConverter.ToUInt16(zipBytes, i + 26);
            int extraLength = BitConverter.ToUInt16(zipBytes, i + 28);
            if (nameLength == nameBytes.Length && zipBytes.AsSpan(i + 30, nameLength).SequenceEqual(nameBytes))
                return (i + 30 + nameLength + extraLength, (int)BitConverter.ToUInt32(zipBytes, i + 18));
        }
        throw new InvalidOperationException($"Entry '{name}' not found in the zip.");
    }
}
