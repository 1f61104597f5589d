using Microsoft.EntityFrameworkCore;

namespace Coordination.ServiceDefaults.Outbox;

public static class Forgetting
{
    /// <summary>
    /// Deletes this service's outbox rows that name the person (a reference is 26 random characters:
    /// found anywhere in a body, it is this person), sent or not: a message about a forgotten person
    /// that has not left yet would only be dropped by its receivers. <paramref name="except"/> is the
    /// message that tells the others to forget. Inbox entries hold ids only and need nothing.
    /// </summary>
    public static Task<int> ForgetOutboxOfAsync(
        this ServiceDbContext db,
        string personReference,
        CancellationToken cancellationToken,
        Guid? except = null
    ) => db.OutboxMessages.Where(m => m.Body.Contains(personReference) && m.MessageId != except).ExecuteDeleteAsync(cancellationToken);
}
