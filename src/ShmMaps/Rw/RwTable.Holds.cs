using System.Runtime.CompilerServices;
using ShmMaps.Core.Memory;
using ShmMaps.Core.Registry;

namespace ShmMaps.Rw;

internal sealed unsafe partial class RwTable
{
    /// <summary>The calling thread's hold records (its lane's), the lane claimed and made ready on first use.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public LaneHolds CurrentHolds()
    {
        Lane lane = Lanes.Current;
        object? holds = lane.Attachment;
        return holds is not null ? Unsafe.As<LaneHolds>(holds) : Prepare(lane);
    }

    /// <summary>
    /// First use of a lane by this handle: the records the lane's previous holder (a dead process, or a handle
    /// closed with locks still held) left are finished before the lane takes new ones.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private LaneHolds Prepare(Lane lane)
    {
        var holds = new LaneHolds(this, lane);
        lane.Attachment = holds;
        TimeSpan timeout = Region.Options.LockTimeout;
        for (int index = 0; index < holds.Count; index++)
        {
            HoldRecord* record = holds.Record(index);
            ulong state = HoldRecord.Read(record, out ulong element);
            if (HoldRecord.StateOf(state) == HoldState.None || HoldRecord.LaneGenerationOf(state) == (ushort)lane.Generation)
            {
                continue;
            }
            if (index == 0)
            {
                FreeList.FinishDeadLocked(this, holds, record, state);
            }
            else if (IsUsedSlot(HoldRecord.SlotOf(element)))
            {
                ElementRecovery.Recover(this, holds, HoldRecord.SlotOf(element), timeout);
            }
        }
        return holds;
    }
}
