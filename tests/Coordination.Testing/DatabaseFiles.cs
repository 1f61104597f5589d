using System.Text;

namespace Coordination.Testing;

/// <summary>What a host's SQLite files hold on disk, as bytes read while the host runs.</summary>
public static class DatabaseFiles
{
    /// <summary>
    /// Every <c>*.db*</c> file under <paramref name="folder"/>, decoded as UTF-8 and joined. Journals
    /// are read before their databases: a checkpoint moves pages from the journal into the database
    /// before it deletes the journal, so a journal gone by the time it is opened was already read
    /// into the database that follows.
    /// </summary>
    public static async Task<string> ReadAllAsync(string folder)
    {
        var files = Directory
            .GetFiles(folder, "*.db*", SearchOption.AllDirectories)
            .OrderBy(f => f.EndsWith(".db", StringComparison.Ordinal) ? 1 : 0)
            .ToList();
        var text = new StringBuilder();
        foreach (var file in files)
        {
            try
            {
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream, Encoding.UTF8);
                text.Append(await reader.ReadToEndAsync());
            }
            catch (FileNotFoundException)
            {
                // A journal checkpointed away between listing and opening: its pages are in the database.
            }
        }
        return text.ToString();
    }
}
