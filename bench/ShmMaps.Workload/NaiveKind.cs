using System.IO.MemoryMappedFiles;

namespace ShmMaps.Workload;

/// <summary>
/// The naive approach: a fixed-layout hash table in a <see cref="MemoryMappedFile"/> on tmpfs, every operation under one
/// named <see cref="Mutex"/> that all processes share (open addressing, linear probing, a cell per key:
/// <c>[8 key][1 used][7 padding][value]</c>, twice as many cells as keys).
/// </summary>
internal sealed unsafe class NaiveKind : StoreKind
{
    public override string Name => "naive";

    public override void Load(RunSpec spec)
    {
        File.Delete(PathOf(spec));
        using var handle = (Handle)Open(spec, -1);
        for (long i = 0; i < spec.Keys; i++)
        {
            handle.Put(i, Initial(i));
        }
    }

    public override IStore Open(RunSpec spec, int worker) => new Handle(spec, PathOf(spec));

    public override long? MemoryBytes(RunSpec spec) => new FileInfo(PathOf(spec)).Length;

    public override void Drop(RunSpec spec) => File.Delete(PathOf(spec));

    private static string PathOf(RunSpec spec) => Path.Combine(spec.Directory, $"workload-naive-{spec.Keys}-{spec.ValueSize}.bin");

    private sealed class Handle : IStore
    {
        private readonly MemoryMappedFile _file;
        private readonly MemoryMappedViewAccessor _view;
        private readonly Mutex _mutex;
        private readonly byte* _cells;
        private readonly long _mask;
        private readonly int _stride;

        public Handle(RunSpec spec, string path)
        {
            long cells = (long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)(spec.Keys * 2));
            _stride = 16 + ((spec.ValueSize + 7) & ~7);
            _mask = cells - 1;
            _file = MemoryMappedFile.CreateFromFile(path, FileMode.OpenOrCreate, null, cells * _stride, MemoryMappedFileAccess.ReadWrite);
            _view = _file.CreateViewAccessor();
            byte* start = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
            _cells = start;
            _mutex = new Mutex(false, $"shmmaps-naive-{spec.Keys}-{spec.ValueSize}");
        }

        public long Get(long index)
        {
            _mutex.WaitOne();
            try
            {
                byte* cell = Find(KeyChooser.KeyOf(index));
                return cell[8] != 0 ? *(long*)(cell + 16) : 0;
            }
            finally
            {
                _mutex.ReleaseMutex();
            }
        }

        public void Put(long index, long stamp)
        {
            _mutex.WaitOne();
            try
            {
                long key = KeyChooser.KeyOf(index);
                byte* cell = Find(key);
                *(long*)cell = key;
                cell[8] = 1;
                *(long*)(cell + 16) = stamp;
            }
            finally
            {
                _mutex.ReleaseMutex();
            }
        }

        public void Increment(long index)
        {
            _mutex.WaitOne();
            try
            {
                long key = KeyChooser.KeyOf(index);
                byte* cell = Find(key);
                long counter = cell[8] != 0 ? *(long*)(cell + 16) : 0;
                *(long*)cell = key;
                cell[8] = 1;
                *(long*)(cell + 16) = counter + 1;
            }
            finally
            {
                _mutex.ReleaseMutex();
            }
        }

        public void Dispose()
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _file.Dispose();
            _mutex.Dispose();
        }

        /// <summary>The cell of <paramref name="key"/>, or the empty cell where it would go.</summary>
        private byte* Find(long key)
        {
            for (long i = (long)((ulong)key * 0x9E3779B97F4A7C15UL >> 1) & _mask; ; i = (i + 1) & _mask)
            {
                byte* cell = _cells + (i * _stride);
                if (cell[8] == 0 || *(long*)cell == key)
                {
                    return cell;
                }
            }
        }
    }
}
