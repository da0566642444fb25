namespace Gateway.Telemetry;

/// <summary>
/// One upstream's availability as the gateway sees it. The first failure after a success starts an outage: one
/// Warning line, with the reason and no stack trace. Failures meanwhile are only counted. The next success ends it: one
/// line with its duration and the count. A success while nothing is wrong costs one volatile read.
/// </summary>
public sealed partial class UpstreamOutage
{
    private readonly Lock _gate = new();
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly UpstreamMetrics _metrics;
    private volatile bool _down;
    private long _failures;
    private long _since;

    internal UpstreamOutage(string upstream, ILogger logger, TimeProvider time, UpstreamMetrics metrics)
    {
        Upstream = upstream;
        _logger = logger;
        _time = time;
        _metrics = metrics;
    }

    /// <summary>The upstream's name in the log and the metrics' <c>upstream</c> tag.</summary>
    public string Upstream { get; }

    public bool IsDown => _down;

    /// <summary>A call got no answer. <paramref name="reason"/> is a few words (an error kind), never exception text.</summary>
    public void Failed(string reason)
    {
        _metrics.Failed(Upstream);
        if (!_down)
        {
            lock (_gate)
            {
                if (!_down)
                {
                    _since = _time.GetTimestamp();
                    Interlocked.Exchange(ref _failures, 1);
                    _down = true;
                    LogDown(_logger, Upstream, reason);
                    return;
                }
            }
        }

        Interlocked.Increment(ref _failures);
    }

    /// <summary>A call got an answer (whatever its status): ends the outage, if one is on.</summary>
    public void Succeeded()
    {
        if (!_down)
        {
            return;
        }

        lock (_gate)
        {
            if (!_down)
            {
                return;
            }

            _down = false;
            var seconds = _time.GetElapsedTime(_since).TotalSeconds;
            var failures = Interlocked.Exchange(ref _failures, 0);
            LogUp(_logger, Upstream, seconds, failures);
        }
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning,
        Message = "Upstream {Upstream} is down ({Reason}); failures are counted until it answers again")]
    private static partial void LogDown(ILogger logger, string upstream, string reason);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information,
        Message = "Upstream {Upstream} is back after {DurationSeconds:0.0} s; {Failures} calls failed meanwhile")]
    private static partial void LogUp(ILogger logger, string upstream, double durationSeconds, long failures);
}
