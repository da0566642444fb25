namespace Gateway.Access;

/// <summary>A session could not be written to Redis (unreachable or too slow): sign-in answers 503.</summary>
internal sealed class SessionStoreUnavailableException : Exception
{
    public SessionStoreUnavailableException()
    {
    }

    public SessionStoreUnavailableException(string message) : base(message)
    {
    }

    public SessionStoreUnavailableException(string message, Exception inner) : base(message, inner)
    {
    }
}
