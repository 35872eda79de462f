using System.Runtime.CompilerServices;

namespace ShmMaps.Workload;

/// <summary>A 100-byte value (the workload's large value).</summary>
[InlineArray(100)]
internal struct Value100
{
    private byte _element;
}
