using System.Security.Cryptography;
using System.Text;
using Coordination.Contracts.Gateway;
using Coordination.Gateway.Application.Ingress;
using Coordination.Gateway.Domain;
using Coordination.ServiceDefaults.Sealing;

namespace Coordination.Gateway.Application;

/// <summary>
/// The challenge an agency signs to prove it holds the private half of the key it registers:
/// <c>v1.&lt;agency&gt;.&lt;expires, unix seconds&gt;.&lt;random&gt;.&lt;mac&gt;</c>, the MAC a keyed digest under
/// the gateway's own secret. Stateless: nothing is stored between asking and registering, and a
/// challenge is good only for its agency and for <see cref="Lifetime"/>.
/// </summary>
public sealed class KeyChallenges(SealingKeyStore keys, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private const string Version = "v1";

    public (string Challenge, DateTimeOffset ExpiresAt) Issue(string agency)
    {
        var expiresAt = clock.GetUtcNow() + Lifetime;
        var unsigned = $"{Version}.{agency}.{expiresAt.ToUnixTimeSeconds()}.{Base64Url(RandomNumberGenerator.GetBytes(16))}";
        return ($"{unsigned}.{Base64Url(Mac(unsigned))}", expiresAt);
    }

    /// <summary>Null when the challenge is the gateway's, for this agency, and not expired; otherwise the reason code.</summary>
    public string? Check(string challenge, string agency)
    {
        var parts = challenge.Split('.');
        if (parts.Length != 5 || parts[0] != Version || !long.TryParse(parts[2], out var expires))
            return AgencyKeyReasons.InvalidChallenge;
        var unsigned = challenge[..challenge.LastIndexOf('.')];
        byte[] mac;
        try
        {
            mac = Convert.FromBase64String(FromBase64Url(parts[4]));
        }
        catch (FormatException)
        {
            return AgencyKeyReasons.InvalidChallenge;
        }
        if (!CryptographicOperations.FixedTimeEquals(mac, Mac(unsigned)))
            return AgencyKeyReasons.InvalidChallenge;
        if (parts[1] != agency)
            return AgencyKeyReasons.ChallengeForAnotherAgency;
        if (clock.GetUtcNow().ToUnixTimeSeconds() > expires)
            return AgencyKeyReasons.ChallengeExpired;
        return null;
    }

    // Under the gateway's own digest secret, with a label of its own: no other digest of the gateway can pass for a challenge.
    private byte[] Mac(string unsigned) => keys.Digest(KeyOwners.Gateway, $"agency-key-challenge\n{unsigned}");

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return padded + new string('=', (4 - padded.Length % 4) % 4);
    }
}
