using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace Coordination.ServiceDefaults.Persistence;

/// <summary>
/// What a provider's error means, read from its error number rather than its text (which differs by
/// provider, language and version, and may quote a value): one classification for SQLite and SQL Server.
/// </summary>
public static class DatabaseErrors
{
    /// <summary>SQL Server: 2627 a primary key or unique constraint, 2601 a unique index.</summary>
    public static readonly IReadOnlySet<int> SqlServerDuplicateKey = new HashSet<int> { 2627, 2601 };

    /// <summary>SQLite: SQLITE_CONSTRAINT (19), extended SQLITE_CONSTRAINT_PRIMARYKEY (1555) or SQLITE_CONSTRAINT_UNIQUE (2067).</summary>
    public const int SqliteConstraint = 19;
    public static readonly IReadOnlySet<int> SqliteDuplicateKey = new HashSet<int> { 1555, 2067 };

    /// <summary>
    /// Whether <paramref name="exception"/> or one of its inner exceptions is a row refused for a key that already exists.
    /// </summary>
    public static bool IsDuplicateKey(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException db && IsDuplicateKey(db))
                return true;
        }
        return false;
    }

    private static bool IsDuplicateKey(DbException exception) =>
        exception switch
        {
            SqliteException sqlite => sqlite.SqliteErrorCode == SqliteConstraint
                && SqliteDuplicateKey.Contains(sqlite.SqliteExtendedErrorCode),
            SqlException sqlServer => sqlServer.Errors.Cast<SqlError>().Any(e => SqlServerDuplicateKey.Contains(e.Number)),
            _ => false,
        };
}
