using Coordination.Briefings;
using Microsoft.Extensions.Configuration;

namespace Coordination.UnitTests.Briefings;

public sealed class BriefingsOptionsTests
{
    private static BriefingsOptions Bind(params string[] territories)
    {
        var settings = territories.Select((t, i) => new KeyValuePair<string, string?>($"Briefings:Territories:{i}", t));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return configuration.GetSection(BriefingsOptions.Section).Get<BriefingsOptions>() ?? new BriefingsOptions();
    }

    [Fact]
    public void Configured_territories_replace_the_demo_ones()
    {
        Assert.Equal(["13"], Bind("13").ServedTerritories().Select(t => t.Value));
    }

    [Fact]
    public void Without_configuration_the_demo_territories_are_served_once_each()
    {
        Assert.Equal(["75", "93"], Bind().ServedTerritories().Select(t => t.Value));
        Assert.Equal(["75", "93"], Bind("75", "93", "75").ServedTerritories().Select(t => t.Value));
    }
}
