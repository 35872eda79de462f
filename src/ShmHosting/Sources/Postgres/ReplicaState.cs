using System.Runtime.InteropServices;

namespace ShmMaps.Hosting;

/// <summary>
/// What a <see cref="PostgresChangeSource{TKey, TValue}"/> keeps beside its map (in <see cref="ReplicaMarker"/>): which map
/// file holds a whole snapshot of which slot's table, and the last position published into it. One seqlock cell: read
/// and written whole.
/// </summary>
/// <param name="MapIdentity">The <see cref="LeftRightReader{TKey, TValue}.FileIdentity"/> of the map loaded; 0: no snapshot completed.</param>
/// <param name="SlotHash">A hash of the slot's name (another slot needs another snapshot).</param>
/// <param name="Published">The last position (LSN) whose changes readers see.</param>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct ReplicaState(ulong MapIdentity, ulong SlotHash, ulong Published)
{
    /// <summary>Whether the map <paramref name="mapIdentity"/> holds a snapshot of slot <paramref name="slotHash"/>'s table, followed since.</summary>
    public bool Follows(ulong mapIdentity, ulong slotHash) => MapIdentity != 0 && MapIdentity == mapIdentity && SlotHash == slotHash;
}
