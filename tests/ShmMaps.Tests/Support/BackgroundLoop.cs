namespace ShmMaps.Tests.Support;

/// <summary>
/// Runs an iteration over and over on its own thread until disposed; disposing stops it and waits for it, so a
/// test that fails midway never unmaps a map under a loop still reading it (which would crash the test host).
/// </summary>
public sealed class BackgroundLoop : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _task;
    private bool _disposed;

    private BackgroundLoop(Action iteration) =>
        _task = Task.Factory.StartNew(() =>
        {
            while (!_stop.IsCancellationRequested)
            {
                iteration();
            }
        }, TaskCreationOptions.LongRunning);

    /// <summary>Starts running <paramref name="iteration"/> in a loop.</summary>
    public static BackgroundLoop Start(Action iteration) => new(iteration);

    /// <summary>Stops the loop and waits for it to end (its failure, if any, is thrown here); again does nothing.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _stop.Cancel();
        try
        {
            _task.Wait();
        }
        finally
        {
            _stop.Dispose();
        }
    }
}
