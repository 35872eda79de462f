namespace ShmMaps.Seq;

/// <summary>The tables one value of a <see cref="SeqDirectory"/> state word names, as this process maps them.</summary>
/// <param name="State">The state word.</param>
/// <param name="Newest">The table writes go to.</param>
/// <param name="Older">While migrating, the table being copied into <paramref name="Newest"/>; else null.</param>
internal sealed record SeqView(ulong State, SeqTable Newest, SeqTable? Older);
