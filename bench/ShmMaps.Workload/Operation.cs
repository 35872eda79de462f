namespace ShmMaps.Workload;

/// <summary>One operation of a mix.</summary>
internal enum Operation
{
    Get,
    Put,
    Increment,
}
