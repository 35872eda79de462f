using System.Runtime.InteropServices;

namespace ShmMaps.Workload;

/// <summary>The part of liblmdb (Debian's liblmdb-dev) the LMDB peer calls.</summary>
internal static unsafe partial class LmdbNative
{
    public const uint NoSubDirectory = 0x4000;
    public const uint NoSync = 0x10000;
    public const uint ReadOnly = 0x20000;
    public const uint NoMetaSync = 0x40000;
    public const uint NoTls = 0x200000;
    public const uint NoReadAhead = 0x800000;
    public const uint IntegerKey = 0x08;
    public const uint Create = 0x40000;
    public const int NotFound = -30798;

    [StructLayout(LayoutKind.Sequential)]
    public struct Value
    {
        public nuint Size;
        public void* Data;
    }

    private const string Library = "liblmdb.so.0";

    [LibraryImport(Library, EntryPoint = "mdb_env_create")]
    public static partial int EnvCreate(out nint env);

    [LibraryImport(Library, EntryPoint = "mdb_env_set_mapsize")]
    public static partial int EnvSetMapSize(nint env, nuint size);

    [LibraryImport(Library, EntryPoint = "mdb_env_set_maxreaders")]
    public static partial int EnvSetMaxReaders(nint env, uint readers);

    [LibraryImport(Library, EntryPoint = "mdb_env_open", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int EnvOpen(nint env, string path, uint flags, uint mode);

    [LibraryImport(Library, EntryPoint = "mdb_env_close")]
    public static partial void EnvClose(nint env);

    [LibraryImport(Library, EntryPoint = "mdb_txn_begin")]
    public static partial int TxnBegin(nint env, nint parent, uint flags, out nint txn);

    [LibraryImport(Library, EntryPoint = "mdb_txn_commit")]
    public static partial int TxnCommit(nint txn);

    [LibraryImport(Library, EntryPoint = "mdb_txn_abort")]
    public static partial void TxnAbort(nint txn);

    [LibraryImport(Library, EntryPoint = "mdb_txn_reset")]
    public static partial void TxnReset(nint txn);

    [LibraryImport(Library, EntryPoint = "mdb_txn_renew")]
    public static partial int TxnRenew(nint txn);

    [LibraryImport(Library, EntryPoint = "mdb_dbi_open")]
    public static partial int DbiOpen(nint txn, byte* name, uint flags, out uint dbi);

    [LibraryImport(Library, EntryPoint = "mdb_get")]
    public static partial int Get(nint txn, uint dbi, Value* key, Value* data);

    [LibraryImport(Library, EntryPoint = "mdb_put")]
    public static partial int Put(nint txn, uint dbi, Value* key, Value* data, uint flags);

    [LibraryImport(Library, EntryPoint = "mdb_strerror")]
    private static partial nint StrError(int error);

    /// <summary>Throws for an LMDB error code, with LMDB's words.</summary>
    public static int Check(int result, string call) =>
        result == 0 ? 0 : throw new InvalidOperationException($"{call}: {Marshal.PtrToStringUTF8(StrError(result))} ({result})");
}
