using System.Reflection;
using Coordination.ServiceDefaults.Persistence;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Coordination.UnitTests.Support;

/// <summary>
/// A duplicate inbox key is told from every other failure by the provider's error number, the same
/// way for SQLite and SQL Server: read as a duplicate, a real failure would be acked and lost; read
/// as a failure, a duplicate would be retried into the error queue.
/// </summary>
public sealed class DatabaseErrorsTests
{
    [Fact]
    public void Sqlite_refusing_a_row_for_its_primary_key_or_a_unique_index_is_a_duplicate_key()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        Execute(
            connection,
            "CREATE TABLE inbox (id TEXT PRIMARY KEY, consumer TEXT NOT NULL, other TEXT UNIQUE, amount INTEGER CHECK (amount >= 0));"
        );
        Execute(connection, "INSERT INTO inbox VALUES ('a', 'c', 'x', 1);");

        var primaryKey = Assert.Throws<SqliteException>(() => Execute(connection, "INSERT INTO inbox VALUES ('a', 'c', 'y', 1);"));
        var unique = Assert.Throws<SqliteException>(() => Execute(connection, "INSERT INTO inbox VALUES ('b', 'c', 'x', 1);"));
        var notNull = Assert.Throws<SqliteException>(() => Execute(connection, "INSERT INTO inbox VALUES ('c', NULL, 'z', 1);"));
        var check = Assert.Throws<SqliteException>(() => Execute(connection, "INSERT INTO inbox VALUES ('d', 'c', 'w', -1);"));

        Assert.Equal((19, 1555), (primaryKey.SqliteErrorCode, primaryKey.SqliteExtendedErrorCode));
        Assert.Equal((19, 2067), (unique.SqliteErrorCode, unique.SqliteExtendedErrorCode));
        Assert.True(DatabaseErrors.IsDuplicateKey(primaryKey));
        Assert.True(DatabaseErrors.IsDuplicateKey(unique));
        // Constraint violations too, but of another kind: a failure, not a message already handled.
        Assert.False(DatabaseErrors.IsDuplicateKey(notNull));
        Assert.False(DatabaseErrors.IsDuplicateKey(check));
        Assert.False(DatabaseErrors.IsDuplicateKey(new SqliteException("busy", 5, 5)));
    }

    [Fact]
    public void The_classification_looks_through_the_exceptions_EF_Core_wraps_around_the_providers()
    {
        var duplicate = new DbUpdateException(
            "An error occurred while saving the entity changes.",
            new SqliteException("UNIQUE constraint failed", 19, 2067)
        );
        Assert.True(DatabaseErrors.IsDuplicateKey(duplicate));
        Assert.False(DatabaseErrors.IsDuplicateKey(new DbUpdateException("no provider error")));
        Assert.False(DatabaseErrors.IsDuplicateKey(new InvalidOperationException("UNIQUE constraint failed")));
        Assert.False(DatabaseErrors.IsDuplicateKey(null));
    }

    [Theory]
    [InlineData(2627, true)] // Violation of PRIMARY KEY / UNIQUE constraint
    [InlineData(2601, true)] // Cannot insert duplicate key row with unique index
    [InlineData(547, false)] // Foreign key / check constraint
    [InlineData(515, false)] // Cannot insert NULL
    [InlineData(1205, false)] // Deadlock victim: transient, retried by the execution strategy
    [InlineData(8152, false)] // String or binary data would be truncated
    public void Sql_Server_errors_are_classified_by_their_number(int number, bool duplicate)
    {
        var exception = SqlServerError(number);
        Assert.Equal(number, exception.Number);
        Assert.Equal(duplicate, DatabaseErrors.IsDuplicateKey(new DbUpdateException("save failed", exception)));
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>SqlClient builds its exceptions only from a server's answer: the same internal path, by reflection.</summary>
    private static SqlException SqlServerError(int number)
    {
        const BindingFlags Internal = BindingFlags.NonPublic | BindingFlags.Instance;
        var error = typeof(SqlError).GetConstructors(Internal).OrderByDescending(c => c.GetParameters().Length).First();
        var arguments = error
            .GetParameters()
            .Select(p =>
                p.Name switch
                {
                    "infoNumber" => (object?)number,
                    "errorMessage" => "a server error of the test",
                    _ when p.ParameterType == typeof(string) => "",
                    _ when p.ParameterType == typeof(Exception) => null,
                    _ => Activator.CreateInstance(p.ParameterType),
                }
            )
            .ToArray();
        var sqlError = (SqlError)error.Invoke(arguments);
        var errors = (SqlErrorCollection)
            typeof(SqlErrorCollection).GetConstructors(Internal).Single(c => c.GetParameters().Length == 0).Invoke(null);
        typeof(SqlErrorCollection).GetMethod("Add", Internal)!.Invoke(errors, [sqlError]);
        var create = typeof(SqlException)
            .GetMethods(BindingFlags.NonPublic | BindingFlags.Static)
            .Where(m => m.Name == "CreateException")
            .OrderBy(m => m.GetParameters().Length)
            .First();
        var createArguments = create
            .GetParameters()
            .Select(p =>
                p.ParameterType == typeof(SqlErrorCollection) ? errors
                : p.ParameterType == typeof(string) ? "16.0"
                : p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType)
                : null
            )
            .ToArray();
        return (SqlException)create.Invoke(null, createArguments)!;
    }
}
