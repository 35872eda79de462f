namespace ShmMaps.Workload;

/// <summary>The YCSB-style mixes: what share of the operations read, write or increment.</summary>
internal enum Mix
{
    /// <summary>100 % reads (YCSB C).</summary>
    Read100,

    /// <summary>95 % reads, 5 % writes (YCSB B).</summary>
    Read95,

    /// <summary>50 % reads, 50 % writes (YCSB A).</summary>
    Read50,

    /// <summary>100 % read-modify-write: add 1 to the key's counter, atomically.</summary>
    Increment,
}
