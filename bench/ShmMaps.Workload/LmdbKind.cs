namespace ShmMaps.Workload;

/// <summary>
/// LMDB through liblmdb: one environment file in the run's directory (on tmpfs, no syncs: no durability, as ShmMaps),
/// integer keys. <c>lmdb</c> begins a read transaction per get; <c>lmdb-held</c> keeps one open, renews it every
/// 1,000 gets and lets go of it before a write. Writes and increments take a write transaction each (LMDB has one writer at a time).
/// </summary>
internal sealed unsafe class LmdbKind(bool held) : StoreKind
{
    private const int RenewEvery = 1000;

    public override string Name => held ? "lmdb-held" : "lmdb";

    public override void Load(RunSpec spec)
    {
        File.Delete(PathOf(spec));
        nint env = OpenEnvironment(spec);
        try
        {
            uint dbi = OpenDatabase(env);
            byte[] value = new byte[spec.ValueSize];
            for (long start = 0; start < spec.Keys; start += 100_000)
            {
                LmdbNative.Check(LmdbNative.TxnBegin(env, 0, 0, out nint txn), "mdb_txn_begin");
                for (long i = start; i < Math.Min(start + 100_000, spec.Keys); i++)
                {
                    BitConverter.TryWriteBytes(value, Initial(i));
                    Write(txn, dbi, KeyChooser.KeyOf(i), value);
                }
                LmdbNative.Check(LmdbNative.TxnCommit(txn), "mdb_txn_commit");
            }
        }
        finally
        {
            LmdbNative.EnvClose(env);
        }
    }

    public override IStore Open(RunSpec spec, int worker)
    {
        nint env = OpenEnvironment(spec);
        return new Handle(env, OpenDatabase(env), spec.ValueSize, held);
    }

    /// <summary>The data file: LMDB grows it page by page as it is used (without MDB_WRITEMAP nothing is reserved ahead).</summary>
    public override long? MemoryBytes(RunSpec spec) => new FileInfo(PathOf(spec)).Length;

    public override void Drop(RunSpec spec)
    {
        File.Delete(PathOf(spec));
        File.Delete(PathOf(spec) + "-lock");
    }

    private static string PathOf(RunSpec spec) => Path.Combine(spec.Directory, $"workload-lmdb-{spec.Keys}-{spec.ValueSize}.mdb");

    private static nint OpenEnvironment(RunSpec spec)
    {
        LmdbNative.Check(LmdbNative.EnvCreate(out nint env), "mdb_env_create");
        long mapSize = Math.Max(1L << 30, spec.Keys * (spec.ValueSize + 64) * 4);
        LmdbNative.Check(LmdbNative.EnvSetMapSize(env, (nuint)mapSize), "mdb_env_set_mapsize");
        LmdbNative.Check(LmdbNative.EnvSetMaxReaders(env, 1024), "mdb_env_set_maxreaders");
        LmdbNative.Check(LmdbNative.EnvOpen(env, PathOf(spec), LmdbNative.NoSubDirectory | LmdbNative.NoSync | LmdbNative.NoMetaSync | LmdbNative.NoTls | LmdbNative.NoReadAhead, 0x180), "mdb_env_open");
        return env;
    }

    private static uint OpenDatabase(nint env)
    {
        LmdbNative.Check(LmdbNative.TxnBegin(env, 0, 0, out nint txn), "mdb_txn_begin");
        LmdbNative.Check(LmdbNative.DbiOpen(txn, null, LmdbNative.IntegerKey | LmdbNative.Create, out uint dbi), "mdb_dbi_open");
        LmdbNative.Check(LmdbNative.TxnCommit(txn), "mdb_txn_commit");
        return dbi;
    }

    private static void Write(nint txn, uint dbi, long key, ReadOnlySpan<byte> value)
    {
        fixed (byte* data = value)
        {
            var k = new LmdbNative.Value { Size = sizeof(long), Data = &key };
            var v = new LmdbNative.Value { Size = (nuint)value.Length, Data = data };
            LmdbNative.Check(LmdbNative.Put(txn, dbi, &k, &v, 0), "mdb_put");
        }
    }

    private sealed class Handle : IStore
    {
        private readonly nint _env;
        private readonly uint _dbi;
        private readonly byte[] _value;
        private readonly bool _held;
        private nint _read;
        private int _sinceRenew;
        private bool _released;

        public Handle(nint env, uint dbi, int valueSize, bool held)
        {
            _env = env;
            _dbi = dbi;
            _value = new byte[valueSize];
            _held = held;
            if (held)
            {
                LmdbNative.Check(LmdbNative.TxnBegin(env, 0, LmdbNative.ReadOnly, out _read), "mdb_txn_begin");
            }
        }

        public long Get(long index)
        {
            nint txn = _read;
            if (_held)
            {
                Tick();
            }
            else
            {
                LmdbNative.Check(LmdbNative.TxnBegin(_env, 0, LmdbNative.ReadOnly, out txn), "mdb_txn_begin");
            }
            long key = KeyChooser.KeyOf(index);
            var k = new LmdbNative.Value { Size = sizeof(long), Data = &key };
            LmdbNative.Value v;
            int found = LmdbNative.Get(txn, _dbi, &k, &v);
            long stamp = found == 0 ? *(long*)v.Data : 0;
            if (!_held)
            {
                LmdbNative.TxnAbort(txn);
            }
            return stamp;
        }

        public void Put(long index, long stamp)
        {
            Release();
            BitConverter.TryWriteBytes(_value, stamp);
            LmdbNative.Check(LmdbNative.TxnBegin(_env, 0, 0, out nint txn), "mdb_txn_begin");
            Write(txn, _dbi, KeyChooser.KeyOf(index), _value);
            LmdbNative.Check(LmdbNative.TxnCommit(txn), "mdb_txn_commit");
        }

        public void Increment(long index)
        {
            Release();
            LmdbNative.Check(LmdbNative.TxnBegin(_env, 0, 0, out nint txn), "mdb_txn_begin");
            long key = KeyChooser.KeyOf(index);
            var k = new LmdbNative.Value { Size = sizeof(long), Data = &key };
            LmdbNative.Value v;
            long counter = LmdbNative.Get(txn, _dbi, &k, &v) == 0 ? *(long*)v.Data : 0;
            BitConverter.TryWriteBytes(_value, counter + 1);
            Write(txn, _dbi, key, _value);
            LmdbNative.Check(LmdbNative.TxnCommit(txn), "mdb_txn_commit");
        }

        /// <summary>
        /// Before a get: renews the held read transaction every <see cref="RenewEvery"/> gets, or when a write released
        /// it, so that it sees recent writes.
        /// </summary>
        private void Tick()
        {
            if (_released || ++_sinceRenew == RenewEvery)
            {
                _sinceRenew = 0;
                if (!_released)
                {
                    LmdbNative.TxnReset(_read);
                }
                _released = false;
                LmdbNative.Check(LmdbNative.TxnRenew(_read), "mdb_txn_renew");
            }
        }

        /// <summary>
        /// Before a write: lets go of the held read transaction's snapshot. Held across writes, it would pin every page
        /// they free, and the file would grow with each write until MDB_MAP_FULL.
        /// </summary>
        private void Release()
        {
            if (_held && !_released)
            {
                LmdbNative.TxnReset(_read);
                _released = true;
            }
        }

        public void Dispose()
        {
            if (_held)
            {
                LmdbNative.TxnAbort(_read);
            }
            LmdbNative.EnvClose(_env);
        }
    }
}
