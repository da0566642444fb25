namespace Gateway.Tests.Infrastructure;

/// <summary>Tests that measure the process's memory: run after the others, none beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuredAlone
{
    public const string Name = "measured alone";
}
