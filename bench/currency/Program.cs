using System.Globalization;
using Currency.Bench;

// micro [runs] [ms per run]  — the writer's own cost per page, in process
// loop <items> <pages> [view|baseline|read] — one writer on one page, <pages> times: for perf stat / perf record / valgrind
// stub <port>                — the fast stand-in Strapi and rate API for the load runs (see run.sh)
switch (args.FirstOrDefault())
{
    case "micro":
        Micro.Run(
            args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7,
            TimeSpan.FromMilliseconds(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1000));
        return 0;
    case "loop" when args.Length > 2:
        Micro.Loop(int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture),
            args.ElementAtOrDefault(3) ?? "view");
        return 0;
    case "stub" when args.Length > 1:
        await Stub.RunAsync(int.Parse(args[1], CultureInfo.InvariantCulture));
        return 0;
    default:
        Console.Error.WriteLine("usage: Currency.Bench micro [runs] [ms] | loop <items> <pages> [view|baseline|read] | stub <port>");
        return 2;
}
