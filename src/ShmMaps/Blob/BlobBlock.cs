namespace ShmMaps.Blob;

/// <summary>
/// A block of a blob map's heap: one key and its value, written once before the index names it, never changed while
/// it is named, and reused only for a block of its own size class.
/// </summary>
/// <remarks>
/// <code>
///  0  u32 version     even: a whole key and value; odd: free or being written. Each reuse moves it on, so a reader
///                     that finds it unchanged after copying copied one writer's whole value.
///  4  u32 hash        the key hash's low 32 bits (the stripe in every table size)
///  8  u32 key length  (while free: the next free block's heap offset, 8 bytes)
/// 12  u32 value length
/// 16  key bytes, then value bytes
/// </code>
/// </remarks>
internal static unsafe class BlobBlock
{
    public const int HeaderSize = 16;

    /// <summary>The longest key.</summary>
    public const int MaxKeyLength = 64 << 10;

    /// <summary>The bytes a block of a key and value of these lengths needs.</summary>
    public static long BytesFor(int keyLength, long valueLength) => HeaderSize + (long)keyLength + valueLength;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint* Version(byte* block) => (uint*)block;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Hash(byte* block) => *(uint*)(block + 4);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int KeyLength(byte* block) => *(int*)(block + 8);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ValueLength(byte* block) => *(int*)(block + 12);

    /// <summary>A free block's link: the heap offset of the next free block of its class, 0 at the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long* Next(byte* block) => (long*)(block + 8);

    /// <summary>Writes the key and value of a block its writer owns (its version odd), then makes the version even.</summary>
    public static void Fill(byte* block, ulong hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        uint version = SharedMemory.ReadAcquire(Version(block));
        if ((version & 1) == 0)
        {
            // A block fresh from the heap (version 0, as the file system zeroed it): odd while written.
            version++;
            SharedMemory.WriteRelease(Version(block), version);
        }
        *(uint*)(block + 4) = (uint)hash;
        *(int*)(block + 8) = key.Length;
        *(int*)(block + 12) = value.Length;
        key.CopyTo(new Span<byte>(block + HeaderSize, key.Length));
        value.CopyTo(new Span<byte>(block + HeaderSize + key.Length, value.Length));
        // Release: the key and value are whole before the version says so.
        SharedMemory.WriteRelease(Version(block), version + 1);
    }
}
