namespace ShmMaps.Inspection;

/// <summary>One file of a map directory: its description, or why it could not be read.</summary>
/// <param name="Name">The map's name.</param>
/// <param name="Path">The file.</param>
/// <param name="Description">What the file holds, when it could be read.</param>
/// <param name="Error">Why it could not be read.</param>
public sealed record MapListing(string Name, string Path, MapDescription? Description, string? Error);
