using System.Text.RegularExpressions;
using Coordination.Testing;

namespace Coordination.UnitTests.Support;

/// <summary>The code cites flows and architecture rules by short names; each must be defined in docs/glossary.md.</summary>
public sealed partial class GlossaryTests
{
    [Fact]
    public void Every_flow_and_architecture_rule_the_code_cites_is_defined_in_the_glossary()
    {
        var glossary = File.ReadAllText(Repository.File("docs", "glossary.md"));
        var cited = CodeComments()
            .SelectMany(comment =>
                Flow()
                    .Matches(comment)
                    .Select(m => $"**{m.Value}**")
                    .Concat(Rule().Matches(comment).Select(m => $"| **{m.Groups[1].Value}** |"))
            )
            .ToHashSet();

        Assert.Contains("**F5**", cited);
        Assert.All(
            cited,
            term =>
                Assert.True(
                    glossary.Contains(term, StringComparison.Ordinal),
                    $"{term} is cited in the code but not defined in docs/glossary.md"
                )
        );
    }

    private static IEnumerable<string> CodeComments() =>
        new[] { "services", "contracts", "tests" }
            .SelectMany(folder => Directory.EnumerateFiles(Repository.File(folder), "*.cs", SearchOption.AllDirectories))
            .Where(path =>
                !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            )
            .SelectMany(File.ReadLines)
            .Select(line => line.TrimStart())
            .Where(line => line.StartsWith("//", StringComparison.Ordinal) || line.Contains(" // ", StringComparison.Ordinal));

    [GeneratedRegex(@"\b[RF][1-9]\b")]
    private static partial Regex Flow();

    [GeneratedRegex(@"[Aa]rchitecture rule (\d+)")]
    private static partial Regex Rule();
}
