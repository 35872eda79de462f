namespace ShmMaps.Tests.Fuzz;

internal sealed class SeqVecFuzz : FuzzKind
{
    public override string Name => "SeqVec";

    public override void CreateTemplate(string name, ShmOptions options)
    {
        using var vector = SeqVec<long>.Create(name, 16, options, maxCapacity: 4096);
        for (long i = 0; i < 50; i++)
        {
            vector.Push(i);
        }
    }

    public override void Exercise(string name, ShmOptions options, FuzzSteps step)
    {
        SeqVec<long>? vector = null;
        step("open", () => vector = SeqVec<long>.Open(name, options));
        if (vector is null)
        {
            return;
        }
        using (vector)
        {
            step("count", () => _ = vector.Count + vector.Capacity);
            step("get", () =>
            {
                for (long i = 0; i < Math.Min(vector.Count, 200); i++)
                {
                    vector.TryGet(i, out _);
                }
            });
            step("push", () => vector.Push(7));
            step("out of range", () =>
            {
                foreach (long index in OutOfRange(vector.Count))
                {
                    vector.TryGet(index, out _);
                }
            });
            step("set", () =>
            {
                if (vector.Count > 2)
                {
                    vector[2] = 22;
                }
            });
        }
    }
}
