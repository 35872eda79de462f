namespace ShmMaps.LeftRight;

/// <summary>What the writer's copy (the one readers are not sent to) needs before the next write guard.</summary>
internal enum StandbyState
{
    /// <summary>It holds the published state plus this writer's open changes.</summary>
    Ready,

    /// <summary>It holds the state before the last publish: replay the logged changes once its readers leave.</summary>
    NeedsReplay,

    /// <summary>Its state is unknown (a new writer, or a dead writer's half-done batch): copy the published copy over it.</summary>
    NeedsCopy,
}
