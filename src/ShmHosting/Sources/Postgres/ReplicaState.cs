using System.Runtime.InteropServices;

namespace ShmMaps.Hosting;

/// <summary>
/// What a <see cref="PostgresReplication{TKey, TValue}"/> keeps beside its map (in <see cref="ReplicaMarker"/>): which map
/// file holds a whole snapshot of which slot's table, and the last position published into it. One seqlock cell: read
/// and written whole.
/// </summary>
/// <param name="MapIdentity">The file identity (<see cref="LeftRightReader{TKey, TValue}.FileIdentity"/>, <see cref="BlobMap.FileIdentity"/>) of the map loaded; 0: no snapshot completed.</param>
/// <param name="SlotHash">A hash of the slot's name (another slot needs another snapshot); 0: the marker names no slot (a new one).</param>
/// <param name="Published">The last position (LSN) whose changes readers see.</param>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct ReplicaState(ulong MapIdentity, ulong SlotHash, ulong Published)
{
    /// <summary>Whether the map <paramref name="mapIdentity"/> holds a snapshot of slot <paramref name="slotHash"/>'s table, followed since.</summary>
    public bool Follows(ulong mapIdentity, ulong slotHash) => MapIdentity != 0 && MapIdentity == mapIdentity && SlotHash == slotHash;

    /// <summary>Whether the marker names slot <paramref name="slotHash"/> as this replica's (whatever the map holds of it).</summary>
    public bool Names(ulong slotHash) => SlotHash == slotHash;

    /// <summary>Whether the marker is new: it names no slot (the map and its marker were made anew, say after a reboot).</summary>
    public bool IsNew => SlotHash == 0;

    /// <summary>The state of a replica whose slot <paramref name="slotHash"/> is its own but whose map holds no snapshot of it: the next start loads anew.</summary>
    public static ReplicaState Unloaded(ulong slotHash) => new(0, slotHash, 0);
}
