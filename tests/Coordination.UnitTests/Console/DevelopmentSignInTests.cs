using Coordination.ServiceDefaults.Security;
using Coordination.WebConsole;

namespace Coordination.UnitTests.Console;

/// <summary>
/// The console's development sign-in list is configuration (ADR 18): what the demo gives it reads back as the demo's people.
/// </summary>
public sealed class DevelopmentSignInTests
{
    [Fact]
    public void The_demo_settings_read_back_as_the_demo_operators_and_auditor()
    {
        var read = DemoPrincipals.ConsoleSettings.Values.Select(v => DevelopmentSignIn.Parse(v!)).ToList();
        var expected = DemoPrincipals.All.Where(p => p.Kind is PrincipalKind.Operator or PrincipalKind.Auditor).ToList();
        Assert.Equal(
            expected.Select(p => (p.Name, p.Kind, p.Role, string.Join(',', p.Territories))),
            read.Select(p => (p.Name, p.Kind, p.Role, string.Join(',', p.Territories)))
        );
        Assert.All(read, p => Assert.Null(p.Agency));
    }

    [Theory]
    [InlineData("secretariat-75 cdpd-secretariat")]
    [InlineData("secretariat-75 cdpd-secretariat 75 extra")]
    [InlineData("prosecutor-75 prosecutor 75")] // an agency's system uses the doors, not the console
    [InlineData("someone chief 75")]
    [InlineData("secretariat-xx cdpd-secretariat paris")]
    public void A_malformed_entry_or_an_agency_role_is_refused(string entry) =>
        Assert.Throws<InvalidOperationException>(() => DevelopmentSignIn.Parse(entry));
}
