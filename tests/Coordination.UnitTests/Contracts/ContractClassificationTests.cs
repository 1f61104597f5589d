using System.Reflection;
using Coordination.Contracts.Classification;
using Coordination.Contracts.Gateway;
using Coordination.Contracts.Values;
using Microsoft.Extensions.Compliance.Classification;

namespace Coordination.UnitTests.Contracts;

public sealed class ContractClassificationTests
{
    private static readonly Assembly Contracts = typeof(TerritoryCode).Assembly;

    /// <summary>Every record of the contracts assembly that travels as a message or inside one.</summary>
    public static IEnumerable<Type> ContractRecords() =>
        Contracts
            .GetExportedTypes()
            .Where(t =>
                t.IsClass
                && !t.IsAbstract
                && IsRecord(t)
                && t.Namespace is { } ns
                && ns.StartsWith("Coordination.Contracts.", StringComparison.Ordinal)
                && !ns.EndsWith(".Values", StringComparison.Ordinal)
                && !ns.EndsWith(".Classification", StringComparison.Ordinal)
            );

    /// <summary>What the rule finds wrong with a record: unclassified fields, and confidential fields that are not sealed.</summary>
    public static IEnumerable<string> Breaches(Type record)
    {
        foreach (var property in record.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var classification = CoordinationTaxonomy.Of(property);
            if (classification is null || classification.Value.TaxonomyName != CoordinationTaxonomy.Name)
                yield return $"{record.Name}.{property.Name} has no Public/Internal/Confidential classification";
            else if (classification == CoordinationTaxonomy.Confidential && property.PropertyType != typeof(SealedPayload))
                yield return $"{record.Name}.{property.Name} is Confidential but travels unsealed ({property.PropertyType.Name})";
        }
    }

    [Fact]
    public void Every_field_of_every_contract_is_classified_and_confidential_ones_are_sealed()
    {
        var records = ContractRecords().ToList();
        Assert.True(records.Count >= 25, $"expected the messages of the four duties and the gateway, found {records.Count}");
        var breaches = records.SelectMany(Breaches).ToList();
        Assert.True(breaches.Count == 0, string.Join(Environment.NewLine, breaches));
    }

    [Fact]
    public void The_rule_finds_an_unclassified_field_and_an_unsealed_confidential_one()
    {
        var breaches = Breaches(typeof(CarelessMessage)).ToList();
        Assert.Contains(breaches, b => b.Contains("CarelessMessage.Note has no", StringComparison.Ordinal));
        Assert.Contains(
            breaches,
            b => b.Contains("CarelessMessage.Identity is Confidential but travels unsealed", StringComparison.Ordinal)
        );
        Assert.Equal(2, breaches.Count);
    }

    [Fact]
    public void The_classification_is_the_compliance_taxonomy_that_redaction_reads()
    {
        var property = typeof(Coordination.Contracts.Supervision.DesignatePerson).GetProperty("Grounds")!;
        var attribute = property.GetCustomAttribute<DataClassificationAttribute>();
        Assert.NotNull(attribute);
        Assert.Equal(new DataClassification("Coordination", "Confidential"), attribute.Classification);
    }

    [Fact]
    public void Messages_are_records_with_required_init_properties()
    {
        foreach (var record in ContractRecords())
        {
            foreach (var property in record.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is not null))
            {
                var setter = property.SetMethod!;
                Assert.True(
                    setter.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.Name == "IsExternalInit"),
                    $"{record.Name}.{property.Name} should be init-only"
                );
            }
        }
    }

    private static bool IsRecord(Type type) => type.GetMethod("<Clone>$") is not null;

    public sealed record CarelessMessage
    {
        [Public]
        public required Guid Id { get; init; }
        public string? Note { get; init; }

        [Confidential]
        public required string Identity { get; init; }
    }
}
