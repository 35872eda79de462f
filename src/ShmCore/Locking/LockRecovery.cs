using System.Runtime.CompilerServices;
using ShmMaps.Core.Memory;
using ShmMaps.Core.Registry;

namespace ShmMaps.Core.Locking;

/// <summary>
/// Finishing what a dead lock owner left: restore its undo image if it was mid-write, then unlock.
/// </summary>
/// <remarks>
/// A dead owner's intent is stable while its word stays locked by it: the owner cannot change it, and
/// a process that claims the dead lane first tries to recover that word itself, changing the intent only
/// afterwards. Exactly one recoverer wins the CAS from the dead owner to itself.
/// <para/>
/// A recoverer of another lane copies the dead undo image into its own lane and marks it Active before
/// its CAS, so that if it dies too, the next recoverer restores the same image. The entry count follows
/// the same rule: rolling back must leave the dead lane's count at its target; the recoverer carries the
/// difference on its own lane (the dead lane may already belong to a new holder).
/// </remarks>
internal static unsafe class LockRecovery
{
    /// <summary>
    /// Recovers the word at <paramref name="lockOffset"/> whose value <paramref name="observed"/> names an owner
    /// proven dead. Returns when the word is no longer locked by that owner (by us or anyone).
    /// </summary>
    public static void RecoverDeadOwner(LaneTable lanes, long lockOffset, ulong observed)
    {
        SharedMemory memory = lanes.Memory;
        ulong* word = (ulong*)memory.Pointer(lockOffset, sizeof(ulong), sizeof(ulong));
        LaneRecord* dead = lanes.Record(LockWord.OwnerLane(observed));
        var state = (IntentState)SharedMemory.ReadAcquire(&dead->IntentState);
        if (dead->IntentLockOffset != lockOffset || state != IntentState.Active)
        {
            // Locking, Done, a plain held lock, or no intent for this word: the protected bytes are whole.
            SharedMemory.CompareExchange(word, LockWord.Released(observed), observed);
            return;
        }

        int length = (int)dead->UndoLength;
        long dataOffset = dead->IntentDataOffset;
        byte* data = memory.Pointer(dataOffset, length);
        byte* deadImage = (byte*)dead + LaneRecord.Size;
        long correction = dead->CountTarget - SharedMemory.ReadAcquire(&dead->EntryCount);

        Lane me = lanes.Current;
        me.MarkLocking(lockOffset);
        me.SaveUndoFrom(dataOffset, deadImage, length, me.Record->EntryCount + correction);
        if (SharedMemory.CompareExchange(word, LockWord.Locked(observed, me.OwnerTag), observed) != observed)
        {
            return; // another recoverer won; our Active intent names a word we do not hold, which recovery ignores
        }
        Unsafe.CopyBlockUnaligned(data, me.UndoImage, (uint)length);
        me.Commit(correction);
        SharedMemory.WriteRelease(word, LockWord.Released(observed));
    }

    /// <summary>
    /// Called by the new holder of a lane right after bumping its generation: releases the plain lock and
    /// recovers the word the previous holder may have left locked, restoring its own lane's undo image.
    /// </summary>
    public static void FinishClaimedLane(LaneTable lanes, Lane lane)
    {
        LaneRecord* record = lane.Record;
        SharedMemory memory = lanes.Memory;
        long held = record->HeldLockOffset;
        if (held != 0)
        {
            ulong* heldWord = (ulong*)memory.Pointer(held, sizeof(ulong), sizeof(ulong));
            ulong seen = SharedMemory.ReadAcquire(heldWord);
            if (IsLockedByEarlierHolder(seen, lane))
            {
                SharedMemory.CompareExchange(heldWord, LockWord.Released(seen), seen);
            }
            lane.ClearHolding();
        }

        var state = (IntentState)SharedMemory.ReadAcquire(&record->IntentState);
        long intentOffset = record->IntentLockOffset;
        if (state != IntentState.Idle && intentOffset != 0)
        {
            ulong* word = (ulong*)memory.Pointer(intentOffset, sizeof(ulong), sizeof(ulong));
            ulong seen = SharedMemory.ReadAcquire(word);
            if (IsLockedByEarlierHolder(seen, lane))
            {
                if (state != IntentState.Active)
                {
                    SharedMemory.CompareExchange(word, LockWord.Released(seen), seen);
                }
                else if (SharedMemory.CompareExchange(word, LockWord.Locked(seen, lane.OwnerTag), seen) == seen)
                {
                    // The intent (image, data offset, count target) stays as the dead holder left it, so a
                    // crash of ours here is recovered the same way.
                    int length = (int)record->UndoLength;
                    byte* data = memory.Pointer(record->IntentDataOffset, length);
                    Unsafe.CopyBlockUnaligned(data, lane.UndoImage, (uint)length);
                    SharedMemory.WriteRelease(&record->EntryCount, record->CountTarget);
                    SharedMemory.WriteRelease(&record->IntentState, (uint)IntentState.Done);
                    SharedMemory.WriteRelease(word, LockWord.Released(seen));
                }
            }
        }
        SharedMemory.WriteRelease(&record->IntentState, (uint)IntentState.Idle);
    }

    private static bool IsLockedByEarlierHolder(ulong word, Lane lane) =>
        LockWord.IsLocked(word) && LockWord.OwnerLane(word) == lane.Index && LockWord.OwnerGeneration(word) != (ushort)lane.Generation;
}
