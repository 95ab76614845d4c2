using System.Collections;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Inference.TextFormat;

/// <summary>
/// Reads protobuf text format (what <c>TextFormat::ParseFromString</c> reads; Triton's <c>config.pbtxt</c>) into any
/// generated message, driven by its descriptor. Supported: <c>#</c> comments; <c>field: value</c>; <c>field { ... }</c>,
/// <c>field: { ... }</c> and <c>field &lt; ... &gt;</c>; repeated fields given repeatedly or as lists <c>[a, b]</c> and
/// <c>[{...}, {...}]</c>; maps as <c>key</c>/<c>value</c> entries (repeated or as a list); enums by name or number;
/// strings in double or single quotes with C escapes, adjacent strings concatenated; integers in decimal, hex
/// (<c>0x</c>) or octal (leading <c>0</c>), range checked; floats with <c>inf</c>, <c>nan</c>, exponents and an
/// <c>f</c> suffix; booleans <c>true</c>/<c>false</c>/<c>True</c>/<c>False</c>/<c>t</c>/<c>f</c>/<c>1</c>/<c>0</c>;
/// optional <c>,</c> or <c>;</c> after each field. Not supported: extensions and <c>Any</c> (<c>[type/url] { }</c>).
/// </summary>
/// <remarks>
/// As protobuf's own parser does, a non-repeated field given twice is an error, and so is a second member of a
/// oneof. Every error is a <see cref="FormatException"/> that starts with <c>line L:C:</c> (1-based) and names the
/// field path, e.g. <c>line 12:5: input[1].dims: expected an integer, got 'abc'</c>.
/// </remarks>
public static class ProtoTextParser
{
    /// <summary>Parses <paramref name="text"/> into a new <typeparamref name="T"/>.</summary>
    /// <exception cref="FormatException">The text is not valid text format for <typeparamref name="T"/>.</exception>
    public static T Parse<T>(string text) where T : IMessage<T>, new()
    {
        ArgumentNullException.ThrowIfNull(text);
        var message = new T();
        new Parser(text).ParseRoot(message);
        return message;
    }

    /// <summary>Parses <paramref name="text"/> into a new message of the type <paramref name="descriptor"/> describes.</summary>
    /// <exception cref="FormatException">The text is not valid text format for that message type.</exception>
    public static IMessage Parse(MessageDescriptor descriptor, string text)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(text);
        var message = NewMessage(descriptor);
        new Parser(text).ParseRoot(message);
        return message;
    }

    private static IMessage NewMessage(MessageDescriptor descriptor) => descriptor.Parser.ParseFrom(ByteString.Empty);

    private enum TokenKind
    {
        End,
        Identifier,
        Number,
        String,
        Symbol,
    }

    /// <summary>A token; <see cref="Bytes"/> holds a string literal's decoded bytes.</summary>
    private readonly record struct Token(TokenKind Kind, string Text, int Line, int Column, byte[]? Bytes = null)
    {
        public bool Is(char symbol) => Kind == TokenKind.Symbol && Text.Length == 1 && Text[0] == symbol;

        public string Describe() => Kind switch
        {
            TokenKind.End => "end of input",
            TokenKind.String => Text,
            _ => $"'{Text}'",
        };
    }

    private sealed class Lexer(string text)
    {
        private int _pos;
        private int _line = 1;
        private int _lineStart;

        public Token Next()
        {
            SkipWhitespaceAndComments();
            var line = _line;
            var column = _pos - _lineStart + 1;
            if (_pos >= text.Length)
            {
                return new Token(TokenKind.End, "", line, column);
            }

            var c = text[_pos];
            if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = _pos;
                while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] == '_'))
                {
                    _pos++;
                }

                return new Token(TokenKind.Identifier, text[start.._pos], line, column);
            }

            if (char.IsAsciiDigit(c) || (c == '.' && _pos + 1 < text.Length && char.IsAsciiDigit(text[_pos + 1])))
            {
                return new Token(TokenKind.Number, ReadNumber(), line, column);
            }

            if (c is '"' or '\'')
            {
                return ReadString(line, column);
            }

            _pos++;
            return new Token(TokenKind.Symbol, c.ToString(), line, column);
        }

        private void SkipWhitespaceAndComments()
        {
            while (_pos < text.Length)
            {
                var c = text[_pos];
                if (c == '\n')
                {
                    _pos++;
                    _line++;
                    _lineStart = _pos;
                }
                else if (c is ' ' or '\t' or '\r' or '\v' or '\f')
                {
                    _pos++;
                }
                else if (c == '#')
                {
                    while (_pos < text.Length && text[_pos] != '\n')
                    {
                        _pos++;
                    }
                }
                else
                {
                    return;
                }
            }
        }

        /// <summary>Reads a number's raw text (digits, letters, '.', and a sign after a decimal exponent); it is checked when used.</summary>
        private string ReadNumber()
        {
            var start = _pos;
            var hex = text[_pos] == '0' && _pos + 1 < text.Length && text[_pos + 1] is 'x' or 'X';
            while (_pos < text.Length)
            {
                var c = text[_pos];
                if (char.IsAsciiLetterOrDigit(c) || c is '_' or '.')
                {
                    _pos++;
                }
                else if (c is '+' or '-' && !hex && text[_pos - 1] is 'e' or 'E')
                {
                    _pos++;
                }
                else
                {
                    break;
                }
            }

            return text[start.._pos];
        }

        private Token ReadString(int line, int column)
        {
            var start = _pos;
            var quote = text[_pos++];
            var bytes = new List<byte>();
            var run = new StringBuilder();
            while (true)
            {
                if (_pos >= text.Length || text[_pos] == '\n')
                {
                    throw Error(line, column, "", "string literal is not closed before the end of the line");
                }

                var c = text[_pos];
                if (c == quote)
                {
                    _pos++;
                    break;
                }

                if (c != '\\')
                {
                    run.Append(c);
                    _pos++;
                    continue;
                }

                Flush(run, bytes);
                var escapeColumn = _pos - _lineStart + 1;
                _pos++;
                if (_pos >= text.Length || text[_pos] == '\n')
                {
                    throw Error(_line, escapeColumn, "", "string literal ends in an unfinished escape");
                }

                var e = text[_pos++];
                switch (e)
                {
                    case 'a': bytes.Add(7); break;
                    case 'b': bytes.Add(8); break;
                    case 'f': bytes.Add(12); break;
                    case 'n': bytes.Add(10); break;
                    case 'r': bytes.Add(13); break;
                    case 't': bytes.Add(9); break;
                    case 'v': bytes.Add(11); break;
                    case '\\': bytes.Add((byte)'\\'); break;
                    case '?': bytes.Add((byte)'?'); break;
                    case '\'': bytes.Add((byte)'\''); break;
                    case '"': bytes.Add((byte)'"'); break;
                    case >= '0' and <= '7':
                    {
                        var value = e - '0';
                        for (var i = 0; i < 2 && _pos < text.Length && text[_pos] is >= '0' and <= '7'; i++)
                        {
                            value = (value * 8) + (text[_pos++] - '0');
                        }

                        if (value > 255)
                        {
                            throw Error(_line, escapeColumn, "", $"octal escape '\\{Convert.ToString(value, 8)}' is larger than a byte");
                        }

                        bytes.Add((byte)value);
                        break;
                    }

                    case 'x' or 'X':
                    {
                        var digits = 0;
                        var value = 0;
                        while (digits < 2 && _pos < text.Length && char.IsAsciiHexDigit(text[_pos]))
                        {
                            value = (value * 16) + HexValue(text[_pos++]);
                            digits++;
                        }

                        if (digits == 0)
                        {
                            throw Error(_line, escapeColumn, "", "'\\x' needs one or two hex digits");
                        }

                        bytes.Add((byte)value);
                        break;
                    }

                    case 'u' or 'U':
                    {
                        var codePoint = ReadHex(e == 'u' ? 4 : 8, escapeColumn, e);
                        if (codePoint <= 0xFFFF && char.IsHighSurrogate((char)codePoint) &&
                            _pos + 1 < text.Length && text[_pos] == '\\' && text[_pos + 1] == 'u')
                        {
                            _pos += 2;
                            var low = ReadHex(4, escapeColumn, 'u');
                            if (!char.IsLowSurrogate((char)low))
                            {
                                throw Error(_line, escapeColumn, "", "a '\\u' high surrogate must be followed by a low surrogate");
                            }

                            codePoint = char.ConvertToUtf32((char)codePoint, (char)low);
                        }

                        if (codePoint > 0x10FFFF || (codePoint is >= 0xD800 and <= 0xDFFF))
                        {
                            throw Error(_line, escapeColumn, "", $"'\\{e}' escape U+{codePoint:X} is not a Unicode scalar value");
                        }

                        bytes.AddRange(Encoding.UTF8.GetBytes(char.ConvertFromUtf32(codePoint)));
                        break;
                    }

                    default:
                        throw Error(_line, escapeColumn, "", $"invalid escape sequence '\\{e}'");
                }
            }

            Flush(run, bytes);
            return new Token(TokenKind.String, text[start.._pos], line, column, bytes.ToArray());
        }

        private int ReadHex(int count, int escapeColumn, char escape)
        {
            var value = 0;
            for (var i = 0; i < count; i++)
            {
                if (_pos >= text.Length || !char.IsAsciiHexDigit(text[_pos]))
                {
                    throw Error(_line, escapeColumn, "", $"'\\{escape}' needs {count} hex digits");
                }

                value = (value * 16) + HexValue(text[_pos++]);
            }

            return value;
        }

        private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

        private static void Flush(StringBuilder run, List<byte> bytes)
        {
            if (run.Length > 0)
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(run.ToString()));
                run.Clear();
            }
        }
    }

    private sealed class Parser(string text)
    {
        /// <summary>As protobuf's own parsers do, deeper nesting is refused rather than risking the stack.</summary>
        private const int MaxDepth = 100;

        private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        private readonly Lexer _lexer = new(text);
        private Token? _peeked;
        private int _depth;

        public void ParseRoot(IMessage message) => ParseFields(message, "", close: null);

        private Token Peek() => _peeked ??= _lexer.Next();

        private Token Next()
        {
            var token = Peek();
            _peeked = null;
            return token;
        }

        private bool TryConsume(char symbol)
        {
            if (Peek().Is(symbol))
            {
                _peeked = null;
                return true;
            }

            return false;
        }

        /// <summary>Fields until <paramref name="close"/> (or the end of input at the top level), then consumes the closer.</summary>
        private void ParseFields(IMessage message, string path, char? close)
        {
            if (++_depth > MaxDepth)
            {
                var at = Peek();
                throw Error(at, path, string.Create(CultureInfo.InvariantCulture, $"messages are nested more than {MaxDepth} deep"));
            }

            try
            {
                ParseFieldsUntil(message, path, close);
            }
            finally
            {
                _depth--;
            }
        }

        private void ParseFieldsUntil(IMessage message, string path, char? close)
        {
            var descriptor = message.Descriptor;
            var given = new HashSet<int>();
            var oneofs = new Dictionary<OneofDescriptor, FieldDescriptor>();
            while (true)
            {
                var token = Peek();
                if (token.Kind == TokenKind.End)
                {
                    if (close is null)
                    {
                        return;
                    }

                    throw Error(token, path, $"expected '{close}' to close {descriptor.FullName}, got end of input");
                }

                if (close is { } closer && token.Is(closer))
                {
                    Next();
                    return;
                }

                ParseField(message, descriptor, path, given, oneofs);
                if (!TryConsume(','))
                {
                    TryConsume(';');
                }
            }
        }

        private void ParseField(IMessage message, MessageDescriptor descriptor, string path, HashSet<int> given, Dictionary<OneofDescriptor, FieldDescriptor> oneofs)
        {
            var nameToken = Next();
            if (nameToken.Is('['))
            {
                throw Error(nameToken, path, "extension and Any fields ('[...]') are not supported");
            }

            if (nameToken.Kind != TokenKind.Identifier)
            {
                throw Error(nameToken, path, $"expected a field name, got {nameToken.Describe()}");
            }

            var field = descriptor.FindFieldByName(nameToken.Text)
                ?? throw Error(nameToken, path, $"unknown field '{nameToken.Text}' in {descriptor.FullName}");
            var fieldPath = Join(path, field.Name);
            if (!field.IsRepeated)
            {
                if (!given.Add(field.FieldNumber))
                {
                    throw Error(nameToken, path, $"non-repeated field '{field.Name}' is specified more than once");
                }

                if (field.RealContainingOneof is { } oneof)
                {
                    if (oneofs.TryGetValue(oneof, out var other))
                    {
                        throw Error(nameToken, path, $"field '{field.Name}' is specified along with '{other.Name}', another member of oneof '{oneof.Name}'");
                    }

                    oneofs[oneof] = field;
                }
            }

            if (field.FieldType is FieldType.Message or FieldType.Group)
            {
                TryConsume(':');
                if (field.IsRepeated && TryConsume('['))
                {
                    ParseList(fieldPath, () => ParseMessageValue(message, field, fieldPath));
                }
                else if (Peek().Is('['))
                {
                    throw Error(Peek(), fieldPath, $"field '{field.Name}' is not repeated; a list is not allowed");
                }
                else
                {
                    ParseMessageValue(message, field, fieldPath);
                }

                return;
            }

            var colon = Next();
            if (!colon.Is(':'))
            {
                throw Error(colon, fieldPath, $"expected ':' after '{field.Name}', got {colon.Describe()}");
            }

            if (field.IsRepeated)
            {
                var list = (IList)field.Accessor.GetValue(message);
                if (TryConsume('['))
                {
                    ParseList(fieldPath, () => list.Add(ParseScalar(field, fieldPath)));
                }
                else
                {
                    list.Add(ParseScalar(field, fieldPath));
                }
            }
            else if (Peek().Is('['))
            {
                throw Error(Peek(), fieldPath, $"field '{field.Name}' is not repeated; a list is not allowed");
            }
            else
            {
                field.Accessor.SetValue(message, ParseScalar(field, fieldPath));
            }
        }

        /// <summary>The elements of a list after its '[': comma-separated, then ']'; an empty list is allowed.</summary>
        private void ParseList(string path, Action element)
        {
            if (TryConsume(']'))
            {
                return;
            }

            while (true)
            {
                element();
                var token = Next();
                if (token.Is(']'))
                {
                    return;
                }

                if (!token.Is(','))
                {
                    throw Error(token, path, $"expected ',' or ']' in a list, got {token.Describe()}");
                }
            }
        }

        private void ParseMessageValue(IMessage message, FieldDescriptor field, string fieldPath)
        {
            var open = Next();
            if (!open.Is('{') && !open.Is('<'))
            {
                throw Error(open, fieldPath, $"expected '{{' or '<' to start {field.MessageType.FullName}, got {open.Describe()}");
            }

            var close = open.Is('{') ? '}' : '>';
            if (field.IsMap)
            {
                ParseMapEntry((IDictionary)field.Accessor.GetValue(message), field, fieldPath, close);
            }
            else if (field.IsRepeated)
            {
                var list = (IList)field.Accessor.GetValue(message);
                var element = NewMessage(field.MessageType);
                ParseFields(element, $"{fieldPath}[{list.Count}]", close);
                list.Add(element);
            }
            else
            {
                var value = NewMessage(field.MessageType);
                ParseFields(value, fieldPath, close);
                field.Accessor.SetValue(message, value);
            }
        }

        /// <summary>One <c>{ key: ... value: ... }</c> entry after its opener; a missing key or value is its default, a repeated key replaces the earlier entry.</summary>
        private void ParseMapEntry(IDictionary map, FieldDescriptor mapField, string fieldPath, char close)
        {
            var entry = mapField.MessageType;
            var keyField = entry.FindFieldByNumber(1);
            var valueField = entry.FindFieldByNumber(2);
            object? key = null;
            object? value = null;
            while (true)
            {
                var entryPath = key is null ? fieldPath : $"{fieldPath}[{FormatKey(key)}]";
                var nameToken = Next();
                if (nameToken.Kind == TokenKind.End)
                {
                    throw Error(nameToken, entryPath, $"expected '{close}' to close the map entry, got end of input");
                }

                if (nameToken.Is(close))
                {
                    break;
                }

                if (nameToken.Kind != TokenKind.Identifier)
                {
                    throw Error(nameToken, entryPath, $"expected 'key' or 'value', got {nameToken.Describe()}");
                }

                var field = nameToken.Text == keyField.Name ? keyField
                    : nameToken.Text == valueField.Name ? valueField
                    : throw Error(nameToken, entryPath, $"unknown field '{nameToken.Text}' in a map entry of '{mapField.Name}'; expected 'key' or 'value'");
                if ((field == keyField ? key : value) is not null)
                {
                    throw Error(nameToken, entryPath, $"non-repeated field '{field.Name}' is specified more than once");
                }

                if (field.FieldType == FieldType.Message)
                {
                    TryConsume(':');
                    var open = Next();
                    if (!open.Is('{') && !open.Is('<'))
                    {
                        throw Error(open, $"{entryPath}.value", $"expected '{{' or '<' to start {field.MessageType.FullName}, got {open.Describe()}");
                    }

                    var message = NewMessage(field.MessageType);
                    ParseFields(message, $"{entryPath}.value", open.Is('{') ? '}' : '>');
                    value = message;
                }
                else
                {
                    var colon = Next();
                    if (!colon.Is(':'))
                    {
                        throw Error(colon, $"{entryPath}.{field.Name}", $"expected ':' after '{field.Name}', got {colon.Describe()}");
                    }

                    var scalar = ParseScalar(field, $"{entryPath}.{field.Name}");
                    if (field == keyField)
                    {
                        key = scalar;
                    }
                    else
                    {
                        value = scalar;
                    }
                }

                if (!TryConsume(','))
                {
                    TryConsume(';');
                }
            }

            key ??= DefaultValue(keyField);
            value ??= DefaultValue(valueField);
            map[key] = value;
        }

        private static string FormatKey(object key) => key switch
        {
            string s => $"\"{s}\"",
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => key.ToString() ?? "",
        };

        private static object DefaultValue(FieldDescriptor field) => field.FieldType switch
        {
            FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => 0,
            FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => 0L,
            FieldType.UInt32 or FieldType.Fixed32 => 0U,
            FieldType.UInt64 or FieldType.Fixed64 => 0UL,
            FieldType.Float => 0f,
            FieldType.Double => 0d,
            FieldType.Bool => false,
            FieldType.String => "",
            FieldType.Bytes => ByteString.Empty,
            FieldType.Enum => EnumValue(field.EnumType, 0),
            _ => NewMessage(field.MessageType),
        };

        private object ParseScalar(FieldDescriptor field, string path) => field.FieldType switch
        {
            FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => (int)ParseInteger(path, "int32", int.MinValue, int.MaxValue),
            FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => (long)ParseInteger(path, "int64", long.MinValue, long.MaxValue),
            FieldType.UInt32 or FieldType.Fixed32 => (uint)ParseInteger(path, "uint32", 0, uint.MaxValue),
            FieldType.UInt64 or FieldType.Fixed64 => (ulong)ParseInteger(path, "uint64", 0, ulong.MaxValue),
            FieldType.Float => (float)ParseFloat(path),
            FieldType.Double => ParseFloat(path),
            FieldType.Bool => ParseBool(path),
            FieldType.String => ParseString(path),
            FieldType.Bytes => ByteString.CopyFrom(ParseBytes(path).Bytes),
            FieldType.Enum => ParseEnum(field.EnumType, path),
            _ => throw new InvalidOperationException($"field type {field.FieldType} is not a scalar"),
        };

        private Int128 ParseInteger(string path, string type, Int128 min, Int128 max)
        {
            var first = Next();
            var negative = first.Is('-');
            var token = negative ? Next() : first;
            var shown = negative ? $"'-{token.Text}'" : token.Describe();
            if (token.Kind != TokenKind.Number || !TryParseInteger(token.Text, out var magnitude, out var overflow))
            {
                throw Error(first, path, $"expected an integer, got {shown}");
            }

            Int128 value = magnitude;
            if (negative)
            {
                value = -value;
            }

            if (overflow || value < min || value > max)
            {
                throw Error(first, path, string.Create(CultureInfo.InvariantCulture, $"{shown} is out of range for {type} ({min}..{max})"));
            }

            return value;
        }

        /// <summary>Decimal, hex (0x) or octal (leading 0) digits only; <paramref name="overflow"/> when past 2^64 - 1.</summary>
        private static bool TryParseInteger(string s, out ulong value, out bool overflow)
        {
            value = 0;
            overflow = false;
            int start;
            uint radix;
            if (s.Length > 2 && s[0] == '0' && s[1] is 'x' or 'X')
            {
                (start, radix) = (2, 16);
            }
            else if (s.Length > 1 && s[0] == '0')
            {
                (start, radix) = (1, 8);
            }
            else
            {
                (start, radix) = (0, 10);
            }

            for (var i = start; i < s.Length; i++)
            {
                var c = s[i];
                uint digit;
                if (char.IsAsciiDigit(c))
                {
                    digit = (uint)(c - '0');
                }
                else if (char.IsAsciiHexDigit(c))
                {
                    digit = (uint)((c | 0x20) - 'a' + 10);
                }
                else
                {
                    return false;
                }

                if (digit >= radix)
                {
                    return false;
                }

                if (value > (ulong.MaxValue - digit) / radix)
                {
                    overflow = true;
                }
                else
                {
                    value = (value * radix) + digit;
                }
            }

            return true;
        }

        private double ParseFloat(string path)
        {
            var first = Next();
            var negative = first.Is('-');
            var token = negative ? Next() : first;
            var shown = negative ? $"'-{token.Text}'" : token.Describe();
            double value;
            if (token.Kind == TokenKind.Identifier)
            {
                switch (token.Text.ToLowerInvariant())
                {
                    case "inf" or "infinity":
                        value = double.PositiveInfinity;
                        break;
                    case "nan":
                        value = double.NaN;
                        break;
                    default:
                        throw Error(first, path, $"expected a number, got {shown}");
                }
            }
            else if (token.Kind == TokenKind.Number && TryParseInteger(token.Text, out var integer, out var overflow) && !overflow)
            {
                value = integer;
            }
            else if (token.Kind == TokenKind.Number && TryParseDecimal(token.Text, out value))
            {
            }
            else
            {
                throw Error(first, path, $"expected a number, got {shown}");
            }

            return negative ? -value : value;
        }

        /// <summary>A decimal float (digits, '.', exponent), optionally with an 'f' suffix as C++ writes floats.</summary>
        private static bool TryParseDecimal(string s, out double value)
        {
            value = 0;
            var body = s.Length > 1 && s[^1] is 'f' or 'F' ? s[..^1] : s;
            if (body.Length == 0 || (!char.IsAsciiDigit(body[0]) && body[0] != '.') ||
                body.Any(c => !char.IsAsciiDigit(c) && c is not ('.' or 'e' or 'E' or '+' or '-')))
            {
                return false;
            }

            return double.TryParse(body, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value);
        }

        private bool ParseBool(string path)
        {
            var token = Next();
            return token.Text switch
            {
                "true" or "True" or "t" when token.Kind == TokenKind.Identifier => true,
                "false" or "False" or "f" when token.Kind == TokenKind.Identifier => false,
                "1" when token.Kind == TokenKind.Number => true,
                "0" when token.Kind == TokenKind.Number => false,
                _ => throw Error(token, path, $"expected a boolean (true or false), got {token.Describe()}"),
            };
        }

        /// <summary>One string literal and those adjacent to it, concatenated.</summary>
        private (Token First, byte[] Bytes) ParseBytes(string path)
        {
            var first = Next();
            if (first.Kind != TokenKind.String)
            {
                throw Error(first, path, $"expected a string in quotes, got {first.Describe()}");
            }

            if (Peek().Kind != TokenKind.String)
            {
                return (first, first.Bytes!);
            }

            var bytes = new List<byte>(first.Bytes!);
            while (Peek().Kind == TokenKind.String)
            {
                bytes.AddRange(Next().Bytes!);
            }

            return (first, bytes.ToArray());
        }

        private string ParseString(string path)
        {
            var (first, bytes) = ParseBytes(path);
            try
            {
                return StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw Error(first, path, "string is not valid UTF-8 (use a bytes field for binary data)");
            }
        }

        private object ParseEnum(EnumDescriptor type, string path)
        {
            if (Peek().Kind == TokenKind.Identifier)
            {
                var token = Next();
                var named = type.FindValueByName(token.Text)
                    ?? throw Error(token, path, $"unknown value '{token.Text}' for enum {type.FullName}; expected one of {string.Join(", ", type.Values.Select(v => v.Name))}");
                return EnumValue(type, named.Number);
            }

            var start = Peek();
            if (start.Kind != TokenKind.Number && !start.Is('-'))
            {
                Next();
                throw Error(start, path, $"expected a value of enum {type.FullName}, got {start.Describe()}");
            }

            var number = (int)ParseInteger(path, "enum", int.MinValue, int.MaxValue);
            if (type.FindValueByNumber(number) is null)
            {
                throw Error(start, path, string.Create(CultureInfo.InvariantCulture, $"unknown number {number} for enum {type.FullName}"));
            }

            return EnumValue(type, number);
        }

        private static object EnumValue(EnumDescriptor type, int number) =>
            type.ClrType is { IsEnum: true } clr ? Enum.ToObject(clr, number) : number;

        private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

        private static FormatException Error(Token at, string path, string message) => ProtoTextParser.Error(at.Line, at.Column, path, message);
    }

    private static FormatException Error(int line, int column, string path, string message) =>
        new(path.Length == 0 ? $"line {line}:{column}: {message}" : $"line {line}:{column}: {path}: {message}");
}
