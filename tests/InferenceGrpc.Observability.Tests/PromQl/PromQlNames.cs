namespace InferenceGrpc.Observability.Tests.PromQl;

/// <summary>A vector selector: its metric name and the label names its matchers use.</summary>
public sealed record Selector(string Metric, IReadOnlyList<string> Labels);

/// <summary>
/// The names a PromQL expression refers to, found by a small tokenizer rather than a parser: metric names (every
/// bare identifier that is not a function, aggregation, keyword or label), the label names of matchers, and the
/// label names of grouping clauses (by, without, on, ignoring, group_left, group_right). It skips strings,
/// numbers, durations, range and subquery brackets, comments and Grafana variables ($job, ${job}, $__rate_interval).
/// </summary>
public sealed class PromQlNames
{
    private static readonly HashSet<string> Aggregations = new(StringComparer.Ordinal)
    {
        "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
        "quantile", "limitk", "limit_ratio",
    };

    private static readonly HashSet<string> GroupingKeywords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right",
    };

    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "or", "unless", "bool", "offset", "atan2", "inf", "nan",
    };

    private readonly List<Selector> _selectors = [];
    private readonly List<string> _groupingLabels = [];
    private readonly string _text;
    private int _pos;

    private PromQlNames(string text) => _text = text;

    public IReadOnlyList<Selector> Selectors => _selectors;

    public IEnumerable<string> Metrics => _selectors.Select(s => s.Metric).Distinct(StringComparer.Ordinal);

    public IReadOnlyList<string> GroupingLabels => _groupingLabels;

    public static PromQlNames Of(string expression)
    {
        var names = new PromQlNames(expression);
        names.Scan();
        return names;
    }

    private void Scan()
    {
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (char.IsWhiteSpace(c))
            {
                _pos++;
            }
            else if (c == '#')
            {
                SkipTo('\n');
            }
            else if (c is '"' or '\'' or '`')
            {
                SkipString();
            }
            else if (c == '$')
            {
                SkipVariable();
            }
            else if (c == '[')
            {
                SkipTo(']');
            }
            else if (c == '{')
            {
                // A selector without a name ({__name__="x"}) is not one this project writes.
                ReadMatchers();
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && _pos + 1 < _text.Length && char.IsAsciiDigit(_text[_pos + 1])))
            {
                SkipNumber();
            }
            else if (IsIdentifierStart(c))
            {
                ReadIdentifier();
            }
            else
            {
                _pos++;   // operators, parentheses, commas
            }
        }
    }

    private void ReadIdentifier()
    {
        var word = Identifier();
        var next = PeekNonSpace();
        if (GroupingKeywords.Contains(word))
        {
            if (next == '(')
            {
                _pos = _text.IndexOf('(', _pos) + 1;
                ReadLabelList();
            }
        }
        else if (Keywords.Contains(word) || Aggregations.Contains(word) || next == '(')
        {
            // A keyword, an aggregation (its "by" comes next or after its argument) or a function call.
        }
        else
        {
            var labels = new List<string>();
            if (next == '{')
            {
                _pos = _text.IndexOf('{', _pos);
                labels = ReadMatchers();
            }

            _selectors.Add(new Selector(word, labels));
        }
    }

    /// <summary>From '{' to past its '}': the label names of the matchers (name op "value", comma-separated).</summary>
    private List<string> ReadMatchers()
    {
        var labels = new List<string>();
        _pos++;   // '{'
        while (_pos < _text.Length && _text[_pos] != '}')
        {
            var c = _text[_pos];
            if (c is '"' or '\'' or '`')
            {
                SkipString();
            }
            else if (IsIdentifierStart(c))
            {
                labels.Add(Identifier());
            }
            else
            {
                _pos++;
            }
        }

        _pos++;   // '}'
        return labels;
    }

    /// <summary>Up to past ')': label names separated by commas.</summary>
    private void ReadLabelList()
    {
        while (_pos < _text.Length && _text[_pos] != ')')
        {
            if (IsIdentifierStart(_text[_pos]))
            {
                _groupingLabels.Add(Identifier());
            }
            else
            {
                _pos++;
            }
        }

        _pos++;
    }

    private string Identifier()
    {
        var start = _pos;
        while (_pos < _text.Length && (IsIdentifierStart(_text[_pos]) || char.IsAsciiDigit(_text[_pos])))
        {
            _pos++;
        }

        return _text[start.._pos];
    }

    private char PeekNonSpace()
    {
        var i = _pos;
        while (i < _text.Length && char.IsWhiteSpace(_text[i]))
        {
            i++;
        }

        return i < _text.Length ? _text[i] : '\0';
    }

    private void SkipString()
    {
        var quote = _text[_pos++];
        while (_pos < _text.Length && _text[_pos] != quote)
        {
            _pos += _text[_pos] == '\\' && quote != '`' ? 2 : 1;
        }

        _pos++;
    }

    /// <summary>$name or ${name} (Grafana template variables and its $__interval family).</summary>
    private void SkipVariable()
    {
        _pos++;
        if (_pos < _text.Length && _text[_pos] == '{')
        {
            SkipTo('}');
        }
        else
        {
            Identifier();
        }
    }

    /// <summary>Numbers and durations: 0.99, 1e-3, 0x1f, 5m, 1h30m.</summary>
    private void SkipNumber()
    {
        var start = _pos;
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            var hex = _pos - start >= 2 && _text[start] == '0' && _text[start + 1] is 'x' or 'X';
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '_')
            {
                _pos++;
            }
            else if (c is '+' or '-' && _text[_pos - 1] is 'e' or 'E' && !hex)
            {
                _pos++;   // an exponent's sign
            }
            else
            {
                break;
            }
        }
    }

    private void SkipTo(char end)
    {
        var at = _text.IndexOf(end, _pos);
        _pos = at < 0 ? _text.Length : at + 1;
    }

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c is '_' or ':';
}
