namespace Gateway.Csv;

/// <summary>Why a page of an export could not be read.</summary>
internal enum PageFailure
{
    None,

    /// <summary>The client went away; nobody is left to tell.</summary>
    ClientGone,

    /// <summary>Strapi did not deliver the page within the cluster's activity timeout.</summary>
    TimedOut,

    /// <summary>Strapi was unreachable, answered other than 200, broke off, or sent something that is not a list.</summary>
    Failed,
}
