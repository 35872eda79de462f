namespace ShmMaps;

/// <summary>An entry of a <see cref="BlobMap"/> as <see cref="BlobMap.Heads"/> walks it: the key, what its value starts with, the value's length and version.</summary>
/// <param name="Key">The key.</param>
/// <param name="Prefix">The value's first bytes (all of it when it is no longer than the prefix asked for).</param>
/// <param name="ValueLength">The value's whole length.</param>
/// <param name="Version">The value's version, for <see cref="BlobMap.TryUpdate"/> and <see cref="BlobMap.TryRemove(string, long)"/>.</param>
public readonly record struct BlobEntryHead(string Key, byte[] Prefix, int ValueLength, long Version);
