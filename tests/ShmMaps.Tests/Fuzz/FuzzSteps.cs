namespace ShmMaps.Tests.Fuzz;

/// <summary>Runs one step of an exercise: an exception of the kinds a damaged file may cause ends only that step.</summary>
public delegate void FuzzSteps(string what, Action action);
