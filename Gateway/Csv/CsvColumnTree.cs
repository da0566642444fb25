using System.Text;
using System.Text.Json;

namespace Gateway.Csv;

/// <summary>
/// Finds the values of all columns of an item in one pass over its properties (and one over each relation's), instead
/// of a lookup per column and step. Same answers as <see cref="CsvColumn.TryGetValue"/>: a name that comes twice counts
/// as its last occurrence, and a step that is missing or not an object leaves its columns without a value.
/// </summary>
internal sealed class CsvColumnTree
{
    private readonly Node _root = new([]);
    private readonly JsonElement[] _found;

    public CsvColumnTree(IReadOnlyList<CsvColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);

        for (var column = 0; column < columns.Count; column++)
        {
            var node = _root;
            foreach (var step in columns[column].Path)
            {
                node = node.Child(step);
            }

            node.Column = column;
        }

        var slots = 0;
        _root.AssignSlots(ref slots);
        _found = new JsonElement[slots];
    }

    /// <summary>Sets each column's value in <paramref name="values"/>; <c>default</c> (undefined) where there is none.</summary>
    public void Resolve(JsonElement item, Span<JsonElement> values)
    {
        values.Clear();
        if (item.ValueKind == JsonValueKind.Object)
        {
            Resolve(item, _root, values);
        }
    }

    private void Resolve(JsonElement item, Node node, Span<JsonElement> values)
    {
        var children = node.Children;
        var found = _found.AsSpan(node.FirstSlot, children.Count);
        found.Clear();
        var next = 0;
        foreach (var property in item.EnumerateObject())
        {
            var index = Find(children, property, next);
            if (index >= 0)
            {
                found[index] = property.Value;
                next = index + 1;
            }
        }

        for (var i = 0; i < children.Count; i++)
        {
            var child = children[i];
            if (child.Column >= 0)
            {
                values[child.Column] = found[i];
            }

            if (child.Children.Count > 0 && found[i].ValueKind == JsonValueKind.Object)
            {
                Resolve(found[i], child, values);
            }
        }
    }

    /// <summary>The child named like <paramref name="property"/>, trying first the one after the last found (items list their fields in one order).</summary>
    private static int Find(List<Node> children, JsonProperty property, int next)
    {
        if (next < children.Count && property.NameEquals(children[next].Name))
        {
            return next;
        }

        for (var i = 0; i < children.Count; i++)
        {
            if (i != next && property.NameEquals(children[i].Name))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>One step of the column paths: its UTF-8 name, the column it ends (or -1), and the steps below it.</summary>
    private sealed class Node(byte[] name)
    {
        public byte[] Name { get; } = name;

        public int Column { get; set; } = -1;

        /// <summary>Where the values found for <see cref="Children"/> go in the shared scratch array (a range of their own).</summary>
        public int FirstSlot { get; private set; }

        public List<Node> Children { get; } = [];

        public Node Child(string step)
        {
            var name = Encoding.UTF8.GetBytes(step);
            foreach (var child in Children)
            {
                if (name.AsSpan().SequenceEqual(child.Name))
                {
                    return child;
                }
            }

            var added = new Node(name);
            Children.Add(added);
            return added;
        }

        public void AssignSlots(ref int slots)
        {
            FirstSlot = slots;
            slots += Children.Count;
            foreach (var child in Children)
            {
                child.AssignSlots(ref slots);
            }
        }
    }
}
