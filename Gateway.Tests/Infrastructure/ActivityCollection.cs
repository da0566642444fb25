using System.Collections.Concurrent;
using System.Diagnostics;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// The collection OpenTelemetry's in-memory exporter writes exported spans to, over a concurrent queue: spans end on
/// many threads at once.
/// </summary>
public sealed class ActivityCollection(ConcurrentQueue<Activity> queue) : ICollection<Activity>
{
    public int Count => queue.Count;

    public bool IsReadOnly => false;

    public void Add(Activity item) => queue.Enqueue(item);

    public void Clear() => queue.Clear();

    public bool Contains(Activity item) => queue.Contains(item);

    public void CopyTo(Activity[] array, int arrayIndex) => queue.CopyTo(array, arrayIndex);

    public bool Remove(Activity item) => throw new NotSupportedException();

    public IEnumerator<Activity> GetEnumerator() => queue.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
