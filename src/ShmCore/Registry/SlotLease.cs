namespace ShmMaps.Core.Registry;

/// <summary>
/// A slot of a <see cref="SlotLeaseTable{TLease}"/> leased to one thread of this handle: writer lanes and reader slots.
/// </summary>
/// <remarks>
/// The thread keeps its lease reachable while it lives; when the thread has ended, the slot comes back to the table
/// either through the lease's finalizer (<see cref="SlotLeaseTable{TLease}.Return"/>) or, sooner, when the table runs
/// out of slots and finds the lease's thread ended (it then marks the lease <see cref="Reclaimed"/>, so that the
/// finalizer gives back nothing).
/// </remarks>
internal abstract class SlotLease
{
    protected SlotLease(int index)
    {
        Index = index;
        Owner = Thread.CurrentThread;
    }

    /// <summary>The slot's index.</summary>
    public int Index { get; }

    /// <summary>The thread the slot is leased to.</summary>
    public Thread Owner { get; }

    /// <summary>
    /// Set under the table's gate when the table took the slot back from the ended <see cref="Owner"/>; read by the
    /// finalizer after the lease became unreachable (the collector orders the two).
    /// </summary>
    public bool Reclaimed { get; set; }
}
