using System.Globalization;
using System.Text;

namespace InferenceGrpc.Cli.Inputs;

/// <summary>
/// Parses the small subset of Python literals a .npy header uses: dicts, tuples, lists, quoted
/// strings, integers (with the Python 2 <c>L</c> suffix), True, False and None. numpy writes the
/// header with <c>repr()</c>, so anything outside this subset is a file we should not trust.
/// </summary>
internal sealed class PythonLiteral
{
    private readonly string _text;
    private int _pos;

    private PythonLiteral(string text) => _text = text;

    /// <summary>Returns a Dictionary&lt;string, object?&gt;, List&lt;object?&gt; (tuple or list), string, long, bool or null.</summary>
    /// <exception cref="FormatException">Anything outside the subset, or trailing text.</exception>
    public static object? Parse(string text) => new PythonLiteral(text).ParseAll();

    private object? ParseAll()
    {
        var value = Value();
        SkipSpace();
        if (_pos != _text.Length)
        {
            throw Error("unexpected text after the literal");
        }

        return value;
    }

    private object? Value()
    {
        SkipSpace();
        if (_pos >= _text.Length)
        {
            throw Error("unexpected end");
        }

        var c = _text[_pos];
        switch (c)
        {
            case '{':
                return Dict();
            case '(':
                return Sequence(')');
            case '[':
                return Sequence(']');
            case '\'' or '"':
                return QuotedString();
        }

        if (c == '-' || char.IsAsciiDigit(c))
        {
            return Integer();
        }

        var start = _pos;
        while (_pos < _text.Length && char.IsAsciiLetter(_text[_pos]))
        {
            _pos++;
        }

        return _text[start.._pos] switch
        {
            "True" => true,
            "False" => false,
            "None" => null,
            var word => throw Error($"unexpected '{(word.Length > 0 ? word : c.ToString())}'"),
        };
    }

    private Dictionary<string, object?> Dict()
    {
        _pos++;
        var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (true)
        {
            SkipSpace();
            if (TryConsume('}'))
            {
                return dict;
            }

            if (Value() is not string key)
            {
                throw Error("dict keys must be strings");
            }

            SkipSpace();
            if (!TryConsume(':'))
            {
                throw Error("expected ':'");
            }

            dict[key] = Value();
            SkipSpace();
            if (!TryConsume(','))
            {
                SkipSpace();
                return TryConsume('}') ? dict : throw Error("expected ',' or '}'");
            }
        }
    }

    private List<object?> Sequence(char close)
    {
        _pos++;
        var items = new List<object?>();
        while (true)
        {
            SkipSpace();
            if (TryConsume(close))
            {
                return items;
            }

            items.Add(Value());
            SkipSpace();
            if (!TryConsume(','))
            {
                SkipSpace();
                return TryConsume(close) ? items : throw Error($"expected ',' or '{close}'");
            }
        }
    }

    private string QuotedString()
    {
        var quote = _text[_pos++];
        var result = new StringBuilder();
        while (_pos < _text.Length)
        {
            var c = _text[_pos++];
            if (c == quote)
            {
                return result.ToString();
            }

            if (c == '\\')
            {
                if (_pos >= _text.Length)
                {
                    break;
                }

                // Escapes cannot occur in dtype strings or the fixed keys; keep the escaped character.
                c = _text[_pos++];
            }

            result.Append(c);
        }

        throw Error("unterminated string");
    }

    private long Integer()
    {
        var start = _pos;
        if (_text[_pos] == '-')
        {
            _pos++;
        }

        while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos]))
        {
            _pos++;
        }

        if (!long.TryParse(_text.AsSpan(start, _pos - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw Error($"bad integer '{_text[start.._pos]}'");
        }

        if (_pos < _text.Length && _text[_pos] is 'L' or 'l')
        {
            _pos++;   // Python 2 long suffix, as old numpy wrote shapes
        }

        return value;
    }

    private bool TryConsume(char c)
    {
        if (_pos < _text.Length && _text[_pos] == c)
        {
            _pos++;
            return true;
        }

        return false;
    }

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
        {
            _pos++;
        }
    }

    private FormatException Error(string message) => new($"{message} at position {_pos}");
}
