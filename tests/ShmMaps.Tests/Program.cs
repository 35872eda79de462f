using System.Runtime.Versioning;
using ShmMaps.Tests.Support;

[assembly: SupportedOSPlatform("linux")]

namespace ShmMaps.Tests;

/// <summary>
/// The test assembly's entry point. The test runner never calls it; cross-process tests start this
/// assembly again as <c>dotnet ShmMaps.Tests.dll child ROLE ARGS</c> to get a real second process.
/// </summary>
public static class Program
{
    public static int Main(string[] args) =>
        args.Length >= 2 && args[0] == "child" ? ChildRoles.Run(args[1], args[2..]) : 2;
}
