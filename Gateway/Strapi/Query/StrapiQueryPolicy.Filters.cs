using Microsoft.Extensions.Primitives;

namespace Gateway.Strapi;

/// <summary>The <c>filters</c> part of the policy: the one that can make Strapi join through relations.</summary>
internal sealed partial class StrapiQueryPolicy
{
    /// <summary>
    /// Walks <c>filters[…]</c>: logical operators (each followed by an index for <c>$and</c>/<c>$or</c>), then a field of
    /// the collection, or a relation and a field of it, then an operator (or none: equality), then an index for list
    /// operators, and nothing more.
    /// </summary>
    private static string? CheckFilter(CheckState state, IReadOnlyList<string> segments, StringValues values)
    {
        var settings = state.Settings;
        IEnumerable<string> operators = settings.Operators.Count > 0 ? settings.Operators : StrapiQueryOptions.DefaultOperators;
        string? relation = null;
        string? field = null;
        string? op = null;
        var depth = 0;
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            if (segment is "$and" or "$or" or "$not")
            {
                if (!operators.Contains(segment))
                {
                    return $"the operator {segment} is not allowed";
                }

                if (op is not null || (field is not null && segment != "$not"))
                {
                    return $"{segment} cannot follow {op ?? field}";
                }

                if (++depth > settings.MaxLogicalDepth)
                {
                    return $"$and, $or and $not nest {settings.MaxLogicalDepth} deep at most";
                }

                if (segment != "$not" && (++i >= segments.Count || !StrapiQueryKey.IsIndex(segments[i], settings.MaxConditions)))
                {
                    return $"{segment} takes a list: {segment}[0], {segment}[1], …";
                }

                continue;
            }

            if (field is null)
            {
                if (segment.StartsWith('$'))
                {
                    return $"{segment} is not where a field is expected";
                }

                var path = relation is null ? segment : relation + "." + segment;
                if (state.Policy.Filters.Contains(path))
                {
                    field = path;
                }
                else if (relation is null && state.Policy.Filters.Any(allowed => allowed.StartsWith(segment + ".", StringComparison.Ordinal)))
                {
                    relation = segment;
                }
                else
                {
                    return $"filtering on '{path}' is not allowed (allowed: {string.Join(", ", state.Policy.Filters)})";
                }

                continue;
            }

            if (op is not null)
            {
                if (op is "$in" or "$notIn" && i == segments.Count - 1 && StrapiQueryKey.IsIndex(segment, settings.MaxConditions))
                {
                    continue;
                }

                return $"nothing may follow the operator {op}";
            }

            if (!segment.StartsWith('$') || !operators.Contains(segment))
            {
                return $"'{segment}' is not an allowed operator (allowed: {string.Join(" ", operators)})";
            }

            op = segment;
        }

        if (field is null)
        {
            return relation is null
                ? "a filter names a field and an operator: filters[field][$eq]=value"
                : $"a filter on {relation} names one of its fields: filters[{relation}][field][$eq]=value";
        }

        if (values.Count > 1 && op is not ("$in" or "$notIn"))
        {
            return "is given more than once";
        }

        if (op is "$null" or "$notNull" && values.Any(v => v is not ("true" or "false")))
        {
            return $"{op} takes true or false";
        }

        if (values.Any(v => (v?.Length ?? 0) > settings.MaxValueLength))
        {
            return $"a filter value is at most {settings.MaxValueLength} characters";
        }

        state.Conditions += Math.Max(1, values.Count);
        return null;
    }
}
