namespace Coordination.ServiceDefaults.Messaging;

/// <summary>
/// A decision that depends on a fact this service has not caught up with yet (published in the same
/// commit as the message, but read on another queue): tried again a bounded number of times by the
/// consumer that throws it, never by the endpoint's general retry.
/// </summary>
public sealed class DecisionDeferredException(string why) : Exception($"Decision deferred: {why}.");
