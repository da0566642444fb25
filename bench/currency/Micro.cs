using System.Buffers;
using System.Diagnostics;
using Gateway.Currency;
using Gateway.Tests.Currency;

namespace Currency.Bench;

/// <summary>
/// The transform's own cost per page: <see cref="CurrencyViewWriter.Write"/> on a 25- and a 100-item page, against the
/// writer before the raw-copy rewrite (<see cref="CurrencyViewWriterBaseline"/>), against copying the same bytes through
/// untouched and against only tokenizing them; nanoseconds and allocated bytes per page, median of several runs. The cases
/// take turns within each run, so a shared machine's drift falls on all of them alike.
/// </summary>
internal static class Micro
{
    public static void Run(int runs, TimeSpan perRun)
    {
        var quote = new CurrencyQuote("EUR", 0.86m, RateSource.Cached, DateTimeOffset.FromUnixTimeSeconds(1732406401));
        Console.WriteLine("items\tbytes_in\tbytes_out\tcopy_ns\tread_only_ns\tbaseline_ns\tbaseline_alloc_B\tview_ns\tview_alloc_B\tview_MBps\tview/baseline");
        foreach (var items in new[] { 25, 100 })
        {
            var page = StrapiPage.Build(items);
            var output = new ArrayBufferWriter<byte>(page.Length * 2);
            CurrencyViewWriter.Write(page, output, quote);
            var outBytes = output.WrittenCount;
            output.ResetWrittenCount();
            CurrencyViewWriterBaseline.Write(page, output, quote);
            if (output.WrittenCount != outBytes)
            {
                throw new InvalidOperationException("the view differs from the baseline's");
            }

            var results = Medians(runs, perRun,
                () =>
                {
                    output.ResetWrittenCount();
                    output.Write(page);
                },
                () =>
                {
                    var reader = new System.Text.Json.Utf8JsonReader(page);
                    while (reader.Read())
                    {
                    }
                },
                () =>
                {
                    output.ResetWrittenCount();
                    CurrencyViewWriterBaseline.Write(page, output, quote);
                },
                () =>
                {
                    output.ResetWrittenCount();
                    CurrencyViewWriter.Write(page, output, quote);
                });
            var (copy, read, baseline, view) = (results[0], results[1], results[2], results[3]);
            Console.WriteLine($"{items}\t{page.Length}\t{outBytes}\t{copy.Ns:F0}\t{read.Ns:F0}\t{baseline.Ns:F0}\t{baseline.Alloc:F0}\t{view.Ns:F0}\t{view.Alloc:F0}\t{page.Length / view.Ns * 1000:F0}\tx{view.Ns / baseline.Ns:F2}");
        }
    }

    /// <summary>
    /// One writer (<paramref name="what"/>: <c>view</c>, <c>baseline</c>, or <c>read</c>, tokenizing only) on one page,
    /// <paramref name="pages"/> times, nothing else: a steady target for <c>perf</c> or
    /// <c>valgrind</c>. <c>perf stat -e instructions:u</c> at two page counts gives instructions per page, which a busy
    /// machine does not disturb the way it disturbs time.
    /// </summary>
    public static void Loop(int items, int pages, string what)
    {
        var quote = new CurrencyQuote("EUR", 0.86m, RateSource.Cached, DateTimeOffset.FromUnixTimeSeconds(1732406401));
        var page = StrapiPage.Build(items);
        var output = new ArrayBufferWriter<byte>(page.Length * 2);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < pages; i++)
        {
            output.ResetWrittenCount();
            switch (what)
            {
                case "baseline":
                    CurrencyViewWriterBaseline.Write(page, output, quote);
                    break;
                case "read":
                    var reader = new System.Text.Json.Utf8JsonReader(page);
                    while (reader.Read())
                    {
                    }

                    break;
                default:
                    CurrencyViewWriter.Write(page, output, quote);
                    break;
            }
        }

        Console.WriteLine($"{pages} pages, {clock.Elapsed.TotalNanoseconds / Math.Max(pages, 1):F0} ns each");
    }

    private static (double Ns, double Alloc)[] Medians(int runs, TimeSpan perRun, params Action[] bodies)
    {
        foreach (var body in bodies)
        {
            for (var i = 0; i < 2000; i++)
            {
                body();
            }
        }

        var ns = bodies.Select(_ => new List<double>()).ToArray();
        var alloc = bodies.Select(_ => new List<double>()).ToArray();
        for (var run = 0; run < runs; run++)
        {
            for (var b = 0; b < bodies.Length; b++)
            {
                var body = bodies[b];
                long count = 0;
                var before = GC.GetAllocatedBytesForCurrentThread();
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < perRun)
                {
                    for (var i = 0; i < 100; i++)
                    {
                        body();
                    }

                    count += 100;
                }

                clock.Stop();
                ns[b].Add(clock.Elapsed.TotalNanoseconds / count);
                alloc[b].Add((double)(GC.GetAllocatedBytesForCurrentThread() - before) / count);
            }
        }

        return [.. ns.Zip(alloc, (n, a) => (Median(n), Median(a)))];
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
