namespace ShmMaps.Inspection;

/// <summary>
/// What a map is, without its entries: kind, key and value types (as its header names them, with their sizes) and
/// capacity. <c>shm dump --format jsonl</c> writes it first; <c>shm load</c> and <c>shm copy</c> make a map of it.
/// </summary>
/// <param name="Kind">The kind: SeqMap, StripedMap, FolkloreMap, LeftRightMap, RwStore, SeqArray, SeqVec.</param>
/// <param name="KeyType">The key type's name ("" for kinds without keys, System.String for a FolkloreMap).</param>
/// <param name="KeySize">The key type's size in bytes (0 without keys or for strings).</param>
/// <param name="ValueType">The value type's name.</param>
/// <param name="ValueSize">The value type's size in bytes.</param>
/// <param name="Capacity">The capacity it was created with (an array's length, a store's most elements).</param>
public sealed record MapShape(string Kind, string KeyType, int KeySize, string ValueType, int ValueSize, long Capacity);
