namespace Coordination.Testing;

/// <summary>Where the checkout is, seen from a test or tool's build output (bin/&lt;configuration&gt;/net10.0).</summary>
public static class Repository
{
    public static string Root()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (System.IO.File.Exists(Path.Combine(folder.FullName, "Coordination.sln")))
                return folder.FullName;
        throw new DirectoryNotFoundException("Coordination.sln not found above the build output.");
    }

    public static string File(params string[] relative) => Path.Combine([Root(), .. relative]);

    /// <summary>Another project's own build output, in the configuration this one was built in.</summary>
    public static string BuildOutput(string projectFolder, string assembly)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        return Path.Combine(Root(), projectFolder, "bin", output.Parent!.Name, output.Name, assembly);
    }
}
