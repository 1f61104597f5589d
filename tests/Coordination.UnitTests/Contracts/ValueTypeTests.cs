using System.Text.Json;
using Coordination.Contracts.Briefings;
using Coordination.Contracts.Values;

namespace Coordination.UnitTests.Contracts;

public sealed class ValueTypeTests
{
    [Theory]
    [InlineData("01")]
    [InlineData("19")]
    [InlineData("2A")]
    [InlineData("2B")]
    [InlineData("21")]
    [InlineData("75")]
    [InlineData("93")]
    [InlineData("95")]
    [InlineData("971")]
    [InlineData("974")]
    [InlineData("976")]
    public void A_departement_code_is_a_territory(string code) => Assert.True(TerritoryCode.TryParse(code, out _));

    [Theory]
    [InlineData("00")]
    [InlineData("20")]
    [InlineData("96")]
    [InlineData("975")]
    [InlineData("977")]
    [InlineData("1")]
    [InlineData("750")]
    [InlineData("2C")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData(null)]
    [InlineData("75001")]
    public void Anything_else_is_not(string? code) => Assert.False(TerritoryCode.TryParse(code, out _));

    [Fact]
    public void There_are_exactly_101_departements()
    {
        Assert.Equal(101, TerritoryCode.All.Count);
        Assert.Contains("2A", (IReadOnlySet<string>)TerritoryCode.All);
        Assert.DoesNotContain("20", (IReadOnlySet<string>)TerritoryCode.All);
    }

    [Fact]
    public void An_unknown_territory_in_a_message_fails_to_read_with_a_reason_code_and_without_the_value()
    {
        var json =
            """{"territory":"99x-CANARY","briefedOn":"2026-01-10","prosecutorOffice":"P","priorityThemes":["road-safety"],"summary":"s"}""";
        var error = Assert.Throws<JsonException>(() =>
            JsonSerializer.Deserialize<RecordPenalPolicyBriefing>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))
        );
        Assert.StartsWith("unknown-territory", error.Message);
        Assert.DoesNotContain("CANARY", error.Message);
    }

    [Fact]
    public void A_missing_required_field_fails_to_read()
    {
        var json = """{"territory":"75","briefedOn":"2026-01-10","priorityThemes":["road-safety"],"summary":"s"}""";
        var error = Assert.Throws<JsonException>(() =>
            JsonSerializer.Deserialize<RecordPenalPolicyBriefing>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))
        );
        Assert.Contains("prosecutorOffice", error.Message);
    }

    [Fact]
    public void Closed_lists_travel_as_kebab_case_words()
    {
        var json = JsonSerializer.Serialize(new[] { PenalPolicyTheme.DrugTrafficking, PenalPolicyTheme.FraudAndScams });
        Assert.Equal("""["drug-trafficking","fraud-and-scams"]""", json);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<PenalPolicyTheme[]>("[3]"));
    }

    [Fact]
    public void A_person_ref_is_random_per_territory_and_round_trips()
    {
        var a = PersonRef.New(TerritoryCode.Parse("93"));
        var b = PersonRef.New(TerritoryCode.Parse("93"));
        Assert.NotEqual(a, b);
        Assert.Equal("93", a.Territory.Value);
        Assert.True(PersonRef.TryParse(a.Value, out var parsed));
        Assert.Equal(a, parsed);
        Assert.Equal(a, JsonSerializer.Deserialize<PersonRef>(JsonSerializer.Serialize(a)));
        Assert.False(PersonRef.TryParse("93-P-short", out _));
        Assert.False(PersonRef.TryParse("20-P-0123456789ABCDEFGHJKMNPQRS", out _));
    }

    [Theory]
    [InlineData("75-association-aide-victimes", true)]
    [InlineData("2A-mairie-ajaccio", true)]
    [InlineData("75-Association", false)]
    [InlineData("99-police", false)]
    [InlineData("75-", false)]
    [InlineData("association", false)]
    public void A_partner_id_names_its_territory(string raw, bool valid)
    {
        Assert.Equal(valid, PartnerId.TryParse(raw, out var partner));
        if (valid)
            Assert.Equal(raw[..raw.IndexOf('-')], partner.Territory.Value);
    }

    [Fact]
    public void Every_art41_measure_kind_has_its_french_name()
    {
        foreach (var kind in Enum.GetValues<Art41MeasureKind>())
            Assert.False(string.IsNullOrWhiteSpace(Art41Measure.Of(kind).FrenchName));
        Assert.Equal(10, Art41Measure.ByKind.Count);
        Assert.Equal("médiation", Art41Measure.Of(Art41MeasureKind.Mediation).FrenchName);
        Assert.Equal("\"probationary-criminal-warning\"", JsonSerializer.Serialize(Art41MeasureKind.ProbationaryCriminalWarning));
    }
}
