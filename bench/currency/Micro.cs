using System.Buffers;
using System.Diagnostics;
using Gateway.Currency;

namespace Currency.Bench;

/// <summary>
/// The transform's own cost per page: <see cref="CurrencyViewWriter.Write"/> on a 25- and a 100-item page, against copying
/// the same bytes through untouched, in nanoseconds and allocated bytes per page (median of several runs).
/// </summary>
internal static class Micro
{
    public static void Run(int runs, TimeSpan perRun)
    {
        var quote = new CurrencyQuote("EUR", 0.86m, RateSource.Cached, DateTimeOffset.FromUnixTimeSeconds(1732406401));
        Console.WriteLine("items\tbytes_in\tbytes_out\tcopy_ns\tread_only_ns\tview_ns\tview_alloc_B\tview_MBps");
        foreach (var items in new[] { 25, 100 })
        {
            var page = StrapiPage.Build(items);
            var output = new ArrayBufferWriter<byte>(page.Length * 2);
            CurrencyViewWriter.Write(page, output, quote);
            var outBytes = output.WrittenCount;

            var copy = Median(runs, perRun, () =>
            {
                output.ResetWrittenCount();
                output.Write(page);
            });
            var read = Median(runs, perRun, () =>
            {
                var reader = new System.Text.Json.Utf8JsonReader(page);
                while (reader.Read())
                {
                }
            });
            var view = Median(runs, perRun, () =>
            {
                output.ResetWrittenCount();
                CurrencyViewWriter.Write(page, output, quote);
            });
            Console.WriteLine($"{items}\t{page.Length}\t{outBytes}\t{copy.Ns:F0}\t{read.Ns:F0}\t{view.Ns:F0}\t{view.Alloc:F0}\t{page.Length / view.Ns * 1000:F0}");
        }
    }

    private static (double Ns, double Alloc) Median(int runs, TimeSpan perRun, Action body)
    {
        for (var i = 0; i < 2000; i++)
        {
            body();
        }

        var ns = new List<double>();
        var alloc = new List<double>();
        for (var run = 0; run < runs; run++)
        {
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
            ns.Add(clock.Elapsed.TotalNanoseconds / count);
            alloc.Add((double)(GC.GetAllocatedBytesForCurrentThread() - before) / count);
        }

        ns.Sort();
        alloc.Sort();
        return (ns[ns.Count / 2], alloc[alloc.Count / 2]);
    }
}
