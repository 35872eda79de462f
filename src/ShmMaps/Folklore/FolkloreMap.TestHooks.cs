using ShmMaps.Folklore;

namespace ShmMaps;

/// <summary>What white-box tests reach into.</summary>
public sealed partial class FolkloreMap<TValue>
{
    /// <summary>The key store.</summary>
    internal KeyStore Keys => _keys;

    /// <summary>The table writes go to now.</summary>
    internal FolkloreTable Table => View().Newest;
}
