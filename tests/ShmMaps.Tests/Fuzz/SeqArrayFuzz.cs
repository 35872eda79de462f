namespace ShmMaps.Tests.Fuzz;

internal sealed class SeqArrayFuzz : FuzzKind
{
    public override string Name => "SeqArray";

    public override void CreateTemplate(string name, ShmOptions options)
    {
        using var array = SeqArray<long>.Create(name, 100, options);
        for (long i = 0; i < 100; i += 3)
        {
            array[i] = i;
        }
    }

    public override void Exercise(string name, ShmOptions options, FuzzSteps step)
    {
        SeqArray<long>? array = null;
        step("open", () => array = SeqArray<long>.Open(name, options));
        if (array is null)
        {
            return;
        }
        using (array)
        {
            step("get", () =>
            {
                for (long i = 0; i < Math.Min(array.Length, 200); i++)
                {
                    array.TryGet(i, out _);
                }
            });
            step("set", () =>
            {
                if (array.Length > 5)
                {
                    array[5] = 55;
                }
            });
            step("out of range", () =>
            {
                foreach (long index in OutOfRange(array.Length))
                {
                    array.TryGet(index, out _);
                }
            });
        }
    }
}
