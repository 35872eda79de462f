namespace ShmMaps.Folklore;

/// <summary>Which <see cref="FolkloreMap{TValue}"/> operation a string key takes once it is encoded as UTF-8 (the string overloads' slow path).</summary>
internal enum StringKeyOperation
{
    Lookup,
    Insert,
    TryAdd,
    AddOrUpdate,
    TryRemove,
}
