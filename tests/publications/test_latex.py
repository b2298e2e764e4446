"""LaTeX in BibTeX values turned into Unicode: every word kept, logos named, markup gone."""

import string
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publications.latex import latex_to_text

# The conversion is pure: the suite's per-test fixtures (media folder, caches) do not matter.
PROPERTY = settings(
    max_examples=300,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"{\TeX} and Typesetting\emdash An Author's View", "TeX and Typesetting—An Author's View"),
        (r"Ad\-di\-son-Wes\-ley", "Addison-Wesley"),
        (r"\enquote{x}", "“x”"),
        ("``x''", "“x”"),
        (r"\texttt{foo} bar", "foo bar"),
        (r"The \MF book", "The METAFONT book"),
        (r"Pi{\'o}ro", "Pióro"),
        (r"\textit{self-guided training}", "self-guided training"),
        (r"$\alpha$-stable", "α-stable"),
    ],
)
def test_the_examples_of_real_bibliographies(latex, text):
    assert latex_to_text(latex) == text


@pytest.mark.parametrize(
    ("logo", "name"),
    [
        ("TeX", "TeX"),
        ("LaTeX", "LaTeX"),
        ("LaTeXe", "LaTeX2e"),
        ("MF", "METAFONT"),
        ("MP", "MetaPost"),
        ("BibTeX", "BibTeX"),
        ("BIBTeX", "BibTeX"),
        ("bibtex", "BibTeX"),
        ("AmS", "AMS"),
        ("AMSTeX", "AMS-TeX"),
        ("AmSTeX", "AMS-TeX"),
        ("AmSLaTeX", "AMS-LaTeX"),
        ("ConTeXt", "ConTeXt"),
        ("XeTeX", "XeTeX"),
        ("XeLaTeX", "XeLaTeX"),
        ("LuaTeX", "LuaTeX"),
        ("LuaLaTeX", "LuaLaTeX"),
        ("eTeX", "e-TeX"),
        ("pdfTeX", "pdfTeX"),
        ("pdfLaTeX", "pdfLaTeX"),
        ("PS", "PostScript"),
        ("POSTSCRIPT", "PostScript"),
        ("SliTeX", "SliTeX"),
        ("METAFONT", "METAFONT"),
        ("MetaPost", "MetaPost"),
        ("TUB", "TUGboat"),
        ("TUGboat", "TUGboat"),
        ("plain", "plain"),
        ("AllTeX", "(La)TeX"),
        ("LAMSTeX", "LAMS-TeX"),
        ("TeXLive", "TeX Live"),
        ("Thanh", "Hàn Thế Thành"),
    ],
)
def test_logos_become_their_names(logo, name):
    assert latex_to_text(f"Using {{\\{logo}}} today") == f"Using {name} today"
    assert latex_to_text(f"Using \\{logo}{{}} today") == f"Using {name} today"


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"Experiments with {\VorTeX}", "Experiments with VorTeX"),
        (r"The {\CTAN} archive and \HTML{} pages", "The CTAN archive and HTML pages"),
        (r"{\LyX}\Dash An Open Source document processor", "LyX—An Open Source document processor"),
        (r"Typesetting with {\GRAP}", "Typesetting with GRAP"),
    ],
)
def test_unknown_names_that_read_as_logos_are_shown(latex, text):
    assert latex_to_text(latex) == text


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"\TeX{} and friends", "TeX and friends"),
        (r"{\TeX} and friends", "TeX and friends"),
        (r"\TeX\ and friends", "TeX and friends"),
        # TeX would join these, but a reader means two words.
        (r"\TeX and friends", "TeX and friends"),
        (r"The \TeX book", "The TeX book"),
        (r"The {\TeX}book", "The TeXbook"),
        (r"\LaTeX{}-Wegweiser", "LaTeX-Wegweiser"),
        # Words that bibliographies always write joined to the logo stay joined.
        (r"Die \TeX nische Kom\"odie", "Die TeXnische Komödie"),
        (r"{\it Ars\TeX nica\/}", "ArsTeXnica"),
        (r"Higher-order {\BibTeX ing}", "Higher-order BibTeXing"),
    ],
)
def test_a_logo_keeps_the_space_after_it(latex, text):
    assert latex_to_text(latex) == text


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"Typesetting\emdash An", "Typesetting—An"),
        (r"Typesetting\textemdash{} An", "Typesetting— An"),
        (r"pages 1\endash 10", "pages 1–10"),
        (r"pages 1\textendash 10", "pages 1–10"),
        ("pages 1--10", "pages 1–10"),
        ("a---b", "a—b"),
        (r"{\TeX}\Dash a child can do it", "TeX—a child can do it"),
        (r"VM\slash CMS", "VM/CMS"),
        (r"methodology\hyphen independent", "methodology-independent"),
    ],
)
def test_dashes(latex, text):
    assert latex_to_text(latex) == text


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"\enquote{x}", "“x”"),
        (r"\enquote{An \emph{old} tale}", "“An old tale”"),
        ("``x''", "“x”"),
        ("`x'", "‘x’"),
        ("`The Author's View'", "‘The Author's View’"),
        ("The Author's View", "The Author's View"),
        (r"\glqq x\grqq{}", "„x“"),
        (r"\mkbibquote{Intention}", "“Intention”"),
    ],
)
def test_quotes(latex, text):
    assert latex_to_text(latex) == text


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"Ad\-di\-son-Wes\-ley", "Addison-Wesley"),
        (r"Ad{\-d}i{\-s}on-Wes{\-l}ey", "Addison-Wesley"),
        (r"Spring{\-}er-Ver{\-}lag", "Springer-Verlag"),
        ("Ad\u00addi\u00adson-Wes\u00adley", "Addison-Wesley"),
        (r"centro\--meri\-dionale", "centro-meridionale"),
    ],
)
def test_discretionary_and_soft_hyphens_disappear(latex, text):
    converted = latex_to_text(latex)

    assert converted == text
    assert "\u00ad" not in converted


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"\texttt{foo} bar", "foo bar"),
        (r"\textsf{tools} and graphics", "tools and graphics"),
        (r"\textsc{mcxcviii}", "mcxcviii"),
        (r"see \url{http://example.org/~knuth/a_b}", "see http://example.org/~knuth/a_b"),
        (r"from \path|listral@ib.rl.ac.uk| by mail", "from listral@ib.rl.ac.uk by mail"),
        (r"support \protect\verb|\special| commands", "support \\special commands"),
        (r"{{\acro{DVIPDF}} and Graphics}", "DVIPDF and Graphics"),
        (r"{\cs{starttext}: Practical \ConTeXt}", "\\starttext: Practical ConTeXt"),
        (r"\mbox{G-Animal's} Journal", "G-Animal's Journal"),
        (r"\hbox{one} two", "one two"),
        (r"A review of \booktitle{Type Matters}", "A review of Type Matters"),
        (r"\ensuremath{\alpha} rays", "α rays"),
        (r"\foreignlanguage{german}{Stra\ss e} and road", "Straße and road"),
        (r"\href{https://example.org}{the manual} online", "the manual online"),
        (r"\texorpdfstring{$\alpha$}{alpha} decay", "α decay"),
        (r"The \nth{4} edition", "The 4th edition"),
        (r"\emph{Ge}{\"o}rg", "Geörg"),
    ],
)
def test_commands_keep_their_argument_text(latex, text):
    assert latex_to_text(latex) == text


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"\foo{bar}", "bar"),
        (r"\foo{bar} baz", "bar baz"),
        (r"before \someunknown after", "before after"),
        (r"before\someunknown after", "before after"),
        (r"before \someunknown{} after", "before after"),
        (r"\sortmediacreator{Charles}{Dickens}", "Charles Dickens"),
        (r"{\ssf BM2FONT} and {\slnine GUT}enberg", "BM2FONT and GUTenberg"),
        (r"\toenglish {\LaTeX}, ready to start", "LaTeX, ready to start"),
    ],
)
def test_unknown_commands_keep_every_word_around_them(latex, text):
    assert latex_to_text(latex) == text


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"Pi\'{o}ro and Pi\'oro", "Pióro and Pióro"),
        (r"\v{C}ech and {\v C}ech", "Čech and Čech"),
        (r"D{\'\i}az", "Díaz"),
        (r"Rossi\u\i{}sko\u\i{} Akademi\u\i{}", "Rossiĭskoĭ Akademiĭ"),
        (r"Stra{\ss}e and Stra\ss e", "Straße and Straße"),
        (r"{\o}re, {\O}stergaard, {\aa}r, {\AE}sop", "øre, Østergaard, år, Æsop"),
        (r"{\L}ukasiewicz and Wo{\l}czyk", "Łukasiewicz and Wołczyk"),
        (r"Fran\c{c}ois and podr{\k{e}}cznik", "François and podręcznik"),
        (r"Dezs{\H{o}} and R{\r{u}}{\v{z}}i{\v{c}}ka", "Dezső and Růžička"),
        (r"Skalsk{\'y} Dv{\accent'27u}r", "Skalský Dvůr"),
        (r"Ry\'{cko}", "Ryćko"),
        (r"{\AE{}sthetics}", "Æsthetics"),
    ],
)
def test_accents_and_special_letters(latex, text):
    assert latex_to_text(latex) == text


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"R\&D, 50\% off, \$16, font \#1, Dvi\_QMS", "R&D, 50% off, $16, font #1, Dvi_QMS"),
        ("50% of cases", "50% of cases"),
        (r"\{Meta\}Font", "{Meta}Font"),
        (r"\copyright{} 1986 and \S 3", "© 1986 and § 3"),
        (r"typography \ldots{} through {\TeX}", "typography … through TeX"),
        (r"a \textbackslash verb", "a \\verb"),
        (r"home\~{}user", "home~user"),
    ],
)
def test_escaped_characters_and_symbols(latex, text):
    assert latex_to_text(latex) == text


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"$\alpha$-stable $O(n^2)$", "α-stable O(n^2)"),
        (r"An {$O(n \log n / \! \log\log n)$} Sorting", "An O(n log n / log log n) Sorting"),
        (r"over {$\mathbb{Z}^m_n$}", "over ℤ^m_n"),
        (r"A History of $ \pi $", "A History of π"),
        (r"$\sqrt{x} \times \frac{a}{b}$", "√(x) × a/b"),
        (r"{$ {\rm SO}(3) $} and $x \leq y$", "SO(3) and x ≤ y"),
        ("costs $5 each", "costs $5 each"),
    ],
)
def test_math_stays_readable(latex, text):
    assert latex_to_text(latex) == text


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"Introduction \\ Chapter", "Introduction Chapter"),
        (r"one\\two", "one two"),
        ("ICML~2023", "ICML 2023"),
        (r"P.\ Sestius", "P. Sestius"),
        (r"short.\par Two", "short. Two"),
        (r"R\thinspace\&\thinspace D", "R & D"),
        ("  spread\n  over\tlines  ", "spread over lines"),
    ],
)
def test_line_breaks_and_spaces(latex, text):
    assert latex_to_text(latex) == text


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"DVIto\kern-.15em VDU", "DVIto VDU"),
        (r"(\kern-.1emAMS\kern.05em-)\LaTeX", "(AMS-)LaTeX"),
        (
            r"{\noopsort{Han}H{\`a}n Th{\^e}{\kern-.05em}\llap{\raise 0.5ex\hbox{\'{\relax}}}"
            r" Th{\`a}nh}",
            "Hàn Thê Thành",
        ),
        (r"\begin{itemize} \item Detail \end{itemize}", "Detail"),
    ],
)
def test_dimensions_and_sorting_tricks_are_not_text(latex, text):
    assert latex_to_text(latex) == text


def test_output_is_nfc_and_whitespace_collapsed():
    decomposed = "Cafe\u0301  au\n lait"

    assert latex_to_text(decomposed) == "Café au lait"
    assert latex_to_text(r"  {\'e}t{\'e}  ") == unicodedata.normalize("NFC", "été")


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        ("{" * 5000 + "deep" + "}" * 5000, "deep"),
        ("an unbalanced {brace", "an unbalanced brace"),
        ("closing} only", "closing only"),
        ("ends with \\", "ends with"),
        (r"\'", ""),
    ],
)
def test_malformed_input_keeps_its_words(latex, text):
    assert latex_to_text(latex) == text


WORDS = st.text(alphabet=string.ascii_letters, min_size=1, max_size=12)
# Markup around a word, written where "@" stands.
AROUND = st.sampled_from(
    [
        "@",
        "{@}",
        "{{@}}",
        r"\emph{@}",
        r"\textbf{@}",
        r"\texttt{@}",
        r"\textsc{@}",
        r"\zzunknown{@}",
        r"\zzunknown{@}{@}",
        r"{\bf @}",
        r"{\em @\/}",
        r"\enquote{@}",
        "``@''",
        "`@'",
        r"\mbox{@}",
        r"\acro{@}",
        r"\foreignlanguage{french}{@}",
        r"\href{http://example.org}{@}",
        r"\texorpdfstring{@}{x}",
        "$@$",
        r"\ensuremath{@}",
    ]
)
# Markup between words, with the spaces of the source.
BETWEEN = st.sampled_from(
    [
        " ",
        "\n",
        "~",
        r" \TeX{} ",
        r" \TeX ",
        r" {\LaTeX} ",
        r" \MF\ ",
        r" \zzunknown ",
        r"\zzunknown ",
        r" \zzunknown{} ",
        r" \\ ",
        " --- ",
        " -- ",
        r" \emdash{} ",
        r" \ldots{} ",
        r" \- ",
        r" {\'e} ",
        r" {\ss} ",
        r" $\alpha$ ",
        r" \par ",
        r" \, ",
        r" {} ",
        r" \& ",
        " \u00ad ",
    ]
)
# Breaks inside a word that a reader never sees.
INSIDE = st.sampled_from([r"\-", "\u00ad", "{}", r"{\-}"])


@st.composite
def hyphenated(draw, word):
    """``word`` with invisible breaks at random places."""
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(word) - 1)), max_size=3)))
    pieces = [word[start:end] for start, end in zip([0, *cuts], [*cuts, len(word)], strict=True)]
    return "".join(piece + draw(INSIDE) for piece in pieces[:-1]) + pieces[-1]


@st.composite
def marked_up_text(draw):
    """Plain words mixed with known and unknown LaTeX, and the words themselves."""
    words = draw(st.lists(WORDS, min_size=1, max_size=8))
    source = ""
    for index, word in enumerate(words):
        if index:
            source += draw(BETWEEN)
        written = draw(hyphenated(word)) if draw(st.booleans()) else word
        source += draw(AROUND).replace("@", written)
    return source, words


@PROPERTY
@given(marked_up_text())
def test_every_plain_word_survives(case):
    source, words = case

    converted = latex_to_text(source)

    for word in words:
        assert word in converted
    assert "\u00ad" not in converted
    assert "\\" not in converted


@PROPERTY
@given(WORDS, st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=8), WORDS)
def test_an_unknown_command_never_joins_the_words_around_it(before, name, after):
    for source in (f"{before} \\zz{name} {after}", f"{before}\\zz{name} {after}"):
        words = latex_to_text(source).split()

        assert words == [before, after]


@PROPERTY
@given(st.text())
def test_any_text_gives_collapsed_nfc_text_without_soft_hyphens(source):
    converted = latex_to_text(source)

    assert "\u00ad" not in converted
    assert converted == " ".join(converted.split())
    assert unicodedata.is_normalized("NFC", converted)
