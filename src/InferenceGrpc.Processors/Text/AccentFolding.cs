namespace InferenceGrpc.Processors.Text;

/// <summary>
/// Strips accents from precomposed Latin letters (U+00C0-U+024F: é → e), as BERT-uncased's tokenizer does by
/// NFD-normalising and dropping the marks. The server runs with invariant globalization, where
/// <see cref="string.Normalize()"/> leaves non-ASCII text unchanged, so the tokenizer's own accent removal only sees
/// marks that arrive already decomposed. The table was generated from Unicode's canonical decompositions (the base
/// letter of each letter whose NFD form is one letter plus combining marks).
/// </summary>
internal static class AccentFolding
{
    private const char First = '\u00C0';

    private static readonly char[] Folded = Build();

    /// <summary>Replaces each accented Latin letter of <paramref name="text"/> by its base letter, in place.</summary>
    public static void Fold(Span<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var index = c - First;
            if ((uint)index < (uint)Folded.Length)
            {
                text[i] = Folded[index];
            }
        }
    }

    private static char[] Build()
    {
        const string accented =
        "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊ" +
        "ċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚś" +
        "ŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǢǣǦǧǨǩǪ" +
        "ǫǬǭǮǯǰǴǵǸǹǺǻǼǽǾǿȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳ";
        const string bases =
        "AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcC" +
        "cCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSs" +
        "SsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzOoUuAaIiOoUuUuUuUuUuAaAaÆæGgKkO" +
        "oOoƷʒjGgNnAaÆæØøAaAaEeEeIiIiOoOoRrRrUuUuSsTtHhAaEeOoOoOoOoYy";
        var table = new char[0x0250 - First];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = (char)(First + i);
        }

        for (var i = 0; i < accented.Length; i++)
        {
            table[accented[i] - First] = bases[i];
        }

        return table;
    }
}
