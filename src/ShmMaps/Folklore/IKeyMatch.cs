namespace ShmMaps.Folklore;

/// <summary>A key being looked for, in whatever form the caller has it: tells whether a key slot holds it.</summary>
internal interface IKeyMatch
{
    /// <summary>True if slot <paramref name="slot"/> of <paramref name="keys"/> holds this key, whose hash is <paramref name="hash"/>.</summary>
    bool Matches(KeyStore keys, long slot, ulong hash);
}
