using System.Globalization;
using System.Text;

/// <summary>
/// Strapi-shaped invoices as the seeded Strapi holds them: random 24-character document ids, the tutorial's customers,
/// amounts and dates spread out, millisecond timestamps; so they compress like real rows, not like a repeated stand-in row.
/// </summary>
internal static class Invoices
{
    private static readonly (string Name, string Email, string Image)[] Customers =
    [
        ("Evil Rabbit", "evil@rabbit.com", "/customers/evil-rabbit.png"), ("Delba de Oliveira", "delba@oliveira.com", "/customers/delba-de-oliveira.png"),
        ("Lee Robinson", "lee@robinson.com", "/customers/lee-robinson.png"), ("Michael Novotny", "michael@novotny.com", "/customers/michael-novotny.png"),
        ("Amy Burns", "amy@burns.com", "/customers/amy-burns.png"), ("Balazs Orban", "balazs@orban.com", "/customers/balazs-orban.png"),
        ("Steph Dietz", "steph@dietz.com", "/customers/steph-dietz.png"), ("Hector Simpson", "hector@simpson.com", "/customers/hector-simpson.png"),
        ("Steven Tey", "steven@tey.com", "/customers/steven-tey.png"), ("Emil Kowalski", "emil@kowalski.com", "/customers/emil-kowalski.png"),
    ];

    private static readonly string[] CustomerIds = [.. Customers.Select((_, i) => DocumentId(new Random(1000 + i)))];

    public static string[] Make(int count)
    {
        var random = new Random(42);
        var start = new DateTime(2025, 3, 1, 8, 0, 0, DateTimeKind.Utc);
        return [.. Enumerable.Range(1, count).Select(id =>
        {
            var customer = random.Next(Customers.Length);
            var (name, email, image) = Customers[customer];
            var created = start.AddMilliseconds(id * 37 + random.Next(30)).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
            var date = new DateTime(2022, 1, 1).AddDays(random.Next(1000)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            return string.Create(CultureInfo.InvariantCulture,
                $"{{\"id\":{id},\"documentId\":\"{DocumentId(random)}\",\"date\":\"{date}\",\"amount\":{random.Next(100, 100_000)},\"invoice_status\":\"{(random.Next(2) == 0 ? "paid" : "pending")}\",\"createdAt\":\"{created}\",\"updatedAt\":\"{created}\",\"publishedAt\":\"{created}\",\"customer\":{{\"id\":{customer + 1},\"documentId\":\"{CustomerIds[customer]}\",\"name\":\"{name}\",\"email\":\"{email}\",\"image_url\":\"{image}\"}}}}");
        })];
    }

    public static byte[] Page(string[] invoices, int page, int pageSize)
    {
        var pageCount = (invoices.Length + pageSize - 1) / pageSize;
        var items = page >= 1 && page <= pageCount ? invoices.Skip((page - 1) * pageSize).Take(pageSize) : [];
        return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{{\"data\":[{string.Join(',', items)}],\"meta\":{{\"pagination\":{{\"page\":{page},\"pageSize\":{pageSize},\"pageCount\":{pageCount},\"total\":{invoices.Length}}}}}}}"));
    }

    private static string DocumentId(Random random)
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(24, random, (span, r) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[r.Next(Alphabet.Length)];
            }
        });
    }
}
