using System.Buffers.Binary;
using System.Globalization;

namespace ShmMaps.Inspection;

/// <summary>Turns a key's or value's bytes into text from the type name a header records.</summary>
internal static unsafe class ValueDecoder
{
    /// <summary>The key and value type names a map's header records.</summary>
    public static (string Key, string Value) TypeNames(MapRegion region) =>
        (MapHeader.ReadTypeName(region.Header->KeyTypeName, "key type"), MapHeader.ReadTypeName(region.Header->ValueTypeName, "value type"));

    public static string Decode(string typeName, ReadOnlySpan<byte> bytes)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        return (typeName, bytes.Length) switch
        {
            ("System.Int64", 8) => BinaryPrimitives.ReadInt64LittleEndian(bytes).ToString(c),
            ("System.UInt64", 8) => BinaryPrimitives.ReadUInt64LittleEndian(bytes).ToString(c),
            ("System.Int32", 4) => BinaryPrimitives.ReadInt32LittleEndian(bytes).ToString(c),
            ("System.UInt32", 4) => BinaryPrimitives.ReadUInt32LittleEndian(bytes).ToString(c),
            ("System.Int16", 2) => BinaryPrimitives.ReadInt16LittleEndian(bytes).ToString(c),
            ("System.UInt16", 2) => BinaryPrimitives.ReadUInt16LittleEndian(bytes).ToString(c),
            ("System.Byte", 1) => bytes[0].ToString(c),
            ("System.SByte", 1) => ((sbyte)bytes[0]).ToString(c),
            ("System.Boolean", 1) => (bytes[0] != 0).ToString(c),
            ("System.Char", 2) => ((char)BinaryPrimitives.ReadUInt16LittleEndian(bytes)).ToString(),
            ("System.Double", 8) => BinaryPrimitives.ReadDoubleLittleEndian(bytes).ToString("R", c),
            ("System.Single", 4) => BinaryPrimitives.ReadSingleLittleEndian(bytes).ToString("R", c),
            ("System.Guid", 16) => new Guid(bytes).ToString(),
            ("ShmMaps.FixedString32", 32) => DecodeFixedString(bytes),
            _ => "0x" + Convert.ToHexString(bytes),
        };
    }

    private static string DecodeFixedString(ReadOnlySpan<byte> bytes)
    {
        int length = Math.Min(bytes[0], (byte)FixedString32.MaxBytes);
        return System.Text.Encoding.UTF8.GetString(bytes.Slice(1, length));
    }
}
