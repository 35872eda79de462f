namespace ShmMaps.Core.Epochs;

/// <summary>
/// The pin word of a <see cref="ReaderSlot"/>: how many guards the slot has entered (62 bits) and what the
/// current one reads (2 bits). A writer that must not touch copy <c>c</c> waits for every slot that is
/// <see cref="Entering"/> or on copy <c>c</c> until its word changes.
/// </summary>
internal static class ReaderPin
{
    /// <summary>No guard.</summary>
    public const ulong Idle = 0;

    /// <summary>A guard that may read either copy: it has announced itself but not yet said which copy it reads.</summary>
    public const ulong Entering = 1;

    /// <summary>The state of a guard reading copy <paramref name="copy"/> (0 or 1).</summary>
    public static ulong OnCopy(int copy) => 2 + (ulong)copy;

    /// <summary>The state of a guard reading the copy that publish <paramref name="sequence"/> names (sequence &amp; 1).</summary>
    public static ulong OnCopyOf(ulong sequence) => 2 | (sequence & 1);

    /// <summary>The state bits of <paramref name="pin"/>.</summary>
    public static ulong State(ulong pin) => pin & 3;

    /// <summary>How many guards the slot had entered when <paramref name="pin"/> was written.</summary>
    public static ulong Enters(ulong pin) => pin >> 2;

    /// <summary>The word for the <paramref name="enters"/>-th guard in <paramref name="state"/>.</summary>
    public static ulong Make(ulong enters, ulong state) => (enters << 2) | state;

    /// <summary>The word of the same slot after the guard of <paramref name="pin"/> has ended.</summary>
    public static ulong Idled(ulong pin) => Make(Enters(pin), Idle);

    /// <summary>True when a guard with <paramref name="pin"/> may be reading copy <paramref name="copy"/>.</summary>
    public static bool MayRead(ulong pin, int copy) => State(pin) is var state && (state == Entering || state == OnCopy(copy));

    /// <summary>A description for inspection: "idle", "entering", "on copy 1".</summary>
    public static string Describe(ulong pin) => State(pin) switch
    {
        Idle => "idle",
        Entering => "entering",
        _ => $"on copy {State(pin) - 2}",
    };
}
