using Coordination.ServiceDefaults.Hosting;

namespace Coordination.Briefings;

public static class Program
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults("coordination-briefings");
        builder.AddBriefingsService();
        await builder.BuildCoordinationApp().RunAsync();
    }
}
