using System.Text.Json;
using System.Text.RegularExpressions;

namespace Coordination.UnitTests.Deployment;

/// <summary>
/// Just enough of a Dockerfile to check it against the repository without a Docker engine: its
/// stages, and in each the WORKDIR, COPY instructions, RUN commands, USER, HEALTHCHECK and ENTRYPOINT.
/// </summary>
public sealed partial class Dockerfile
{
    public sealed record Copy(string? FromStage, IReadOnlyList<string> Sources, string Destination, string WorkDir);

    public sealed class Stage(string image, string? name)
    {
        public string Image { get; } = image;
        public string? Name { get; } = name;
        public string WorkDir { get; set; } = "/";
        public List<Copy> Copies { get; } = [];
        public List<string> Runs { get; } = [];
        public string? User { get; set; }
        public IReadOnlyList<string>? HealthCheck { get; set; }
        public IReadOnlyList<string>? EntryPoint { get; set; }
    }

    public required string Path { get; init; }
    public List<Stage> Stages { get; } = [];
    public Stage Final => Stages[^1];

    public static Dockerfile Parse(string path)
    {
        var file = new Dockerfile { Path = path };
        foreach (var (instruction, arguments) in Instructions(File.ReadAllText(path)))
        {
            if (instruction == "FROM")
            {
                var parts = Words(arguments);
                file.Stages.Add(
                    new Stage(parts[0], parts.Count >= 3 && parts[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? parts[2] : null)
                );
                continue;
            }
            if (file.Stages.Count == 0)
                continue; // ARG before FROM
            var stage = file.Final;
            switch (instruction)
            {
                case "WORKDIR":
                    stage.WorkDir = Resolve(stage.WorkDir, arguments.Trim());
                    break;
                case "COPY":
                case "ADD":
                {
                    var words = arguments.TrimStart().StartsWith('[')
                        ? JsonSerializer.Deserialize<List<string>>(arguments)!
                        : Words(arguments);
                    string? from = null;
                    var rest = new List<string>();
                    foreach (var word in words)
                    {
                        if (word.StartsWith("--from=", StringComparison.Ordinal))
                            from = word["--from=".Length..];
                        else if (!word.StartsWith("--", StringComparison.Ordinal))
                            rest.Add(word);
                    }
                    stage.Copies.Add(new Copy(from, rest[..^1], rest[^1], stage.WorkDir));
                    break;
                }
                case "RUN":
                    stage.Runs.Add(arguments);
                    break;
                case "USER":
                    stage.User = arguments.Trim();
                    break;
                case "HEALTHCHECK":
                {
                    var command = CmdPattern().Match(arguments);
                    stage.HealthCheck = command.Success ? Command(command.Groups[1].Value) : null;
                    break;
                }
                case "ENTRYPOINT":
                    stage.EntryPoint = Command(arguments);
                    break;
            }
        }
        return file;
    }

    /// <summary>The project given to <c>dotnet publish</c> in a stage, relative to that stage's WORKDIR, with the output folder.</summary>
    public static (string Project, string? Output)? Publish(Stage stage)
    {
        foreach (var run in stage.Runs)
        {
            var words = Words(run);
            var at = words.IndexOf("publish");
            if (at < 1 || words[at - 1] != "dotnet")
                continue;
            string? project = null,
                output = null;
            for (var i = at + 1; i < words.Count; i++)
            {
                var word = words[i];
                if (word is "&&" or ";" or "||")
                    break;
                if (word is "-o" or "--output")
                {
                    output = i + 1 < words.Count ? words[++i] : null;
                    continue;
                }
                if (
                    word
                    is "-c"
                        or "--configuration"
                        or "-r"
                        or "--runtime"
                        or "-f"
                        or "--framework"
                        or "-a"
                        or "--arch"
                        or "--os"
                        or "-v"
                        or "--verbosity"
                )
                {
                    i++;
                    continue;
                }
                if (word.StartsWith('-'))
                    continue;
                project ??= word;
            }
            return project is null ? null : (project, output);
        }
        return null;
    }

    public static string Resolve(string workDir, string path) =>
        path.StartsWith('/') ? Normalise(path) : Normalise(workDir.TrimEnd('/') + "/" + path);

    private static string Normalise(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
                continue;
            if (part == "..")
            {
                if (parts.Count > 0)
                    parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return "/" + string.Join('/', parts);
    }

    private static IReadOnlyList<string> Command(string arguments)
    {
        var text = arguments.Trim();
        return text.StartsWith('[') ? JsonSerializer.Deserialize<List<string>>(text)! : ["/bin/sh", "-c", text];
    }

    private static List<string> Words(string text) => text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).ToList();

    /// <summary>Instructions with their continuation lines joined, comments and blank lines dropped.</summary>
    private static IEnumerable<(string Instruction, string Arguments)> Instructions(string text)
    {
        var current = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith('#'))
                continue;
            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }
            current += line;
            if (!string.IsNullOrWhiteSpace(current))
            {
                var trimmed = current.Trim();
                var space = trimmed.IndexOfAny([' ', '\t']);
                yield return space < 0
                    ? (trimmed.ToUpperInvariant(), "")
                    : (trimmed[..space].ToUpperInvariant(), trimmed[(space + 1)..].Trim());
            }
            current = "";
        }
    }

    [GeneratedRegex(@"\bCMD\s+(.*)$", RegexOptions.Singleline)]
    private static partial Regex CmdPattern();
}
