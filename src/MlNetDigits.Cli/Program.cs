namespace MlNetDigits.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.WriteLine("mlnetdigits: commands are being built.");
        return args.Length == 0 ? 0 : 2;
    }
}
