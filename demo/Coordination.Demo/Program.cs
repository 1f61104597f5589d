namespace Coordination.Demo;

/// <summary>The one-shot demo image: <c>seed</c>, <c>dev-token</c>, <c>console-principals</c> (<see cref="DemoCommands"/>).</summary>
public static class Program
{
    public static Task<int> Main(string[] args) => DemoCommands.RunAsync(args, Console.Out, Console.Error);
}
