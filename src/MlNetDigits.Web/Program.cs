using MlNetDigits.Web;

var app = WebApp.Create(args);
app.Run();

/// <summary>The entry point (public for WebApplicationFactory in the tests).</summary>
public partial class Program;
