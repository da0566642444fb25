namespace Gateway.Csv;

/// <summary>A page, or why there is none (with the exception behind it, for the log).</summary>
internal readonly record struct PageRead(StrapiPage? Page, PageFailure Failure, Exception? Error = null);
