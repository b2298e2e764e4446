"""LaTeX markup found in bibliographic text, turned into the plain Unicode a reader expects."""

import re
import unicodedata
from functools import lru_cache

from pylatexenc import latex2text, latexwalker

from core.text import without_control_characters


def _names(text: str) -> list[str]:
    return text.split()


# Accent commands and the combining mark each one puts on the next letter.
_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
    "r": "\u030a", "d": "\u0323", "b": "\u0331", "t": "\u0361", "acute": "\u0301",
    "grave": "\u0300", "hat": "\u0302", "check": "\u030c", "breve": "\u0306", "tilde": "\u0303",
    "bar": "\u0304", "dot": "\u0307", "ddot": "\u0308", "vec": "\u20d7", "not": "\u0338",
}  # fmt: skip
# An accent over nothing stands for itself where it is a character a reader knows: "\~{}user".
_BARE_ACCENTS = {"~": "~", "^": "^"}
# The marks of plain TeX's \accent primitive, by their position in the Computer Modern fonts.
_NUMBERED_ACCENTS = {
    18: "\u0300", 19: "\u0301", 20: "\u030c", 21: "\u0306", 22: "\u0304", 23: "\u030a",
    24: "\u0327", 94: "\u0302", 95: "\u0307", 125: "\u030b", 126: "\u0303", 127: "\u0308",
}  # fmt: skip
_DOTLESS = {"ı": "i", "ȷ": "j"}  # \'{\i} is an i with an acute accent, whatever the dot did

# Characters written as commands that pylatexenc does not know, or renders otherwise.
_SYMBOLS = {
    "emdash": "—", "endash": "–", "Dash": "—", "slash": "/", "hyphen": "-", "S": "§", "P": "¶",
    "pounds": "£", "euro": "€", "copyright": "©", "registered": "®", "reg": "®",
    "trademark": "™", "textasciicircum": "^", "textperiodcentered": "·", "eth": "ð",
    "glqq": "„", "grqq": "“", "glq": "‚", "grq": "‘", "flqq": "«", "frqq": "»", "flq": "‹",
    "frq": "›", "textquotedbl": '"', "bs": "\\", "textbraceleft": "{", "textbraceright": "}",
}  # fmt: skip
# Commands that only break a line or a paragraph, or leave a gap: a space between words.
_SPACES = _names(
    "par newline linebreak newblock break quad qquad enspace enskip thinspace medspace "
    "thickspace negthinspace space item bigbreak medbreak smallbreak"
)
# Font, size and spacing switches: they show nothing, and eat the spaces after them as TeX does.
_SWITCHES = _names(
    "em it bf sl sc tt rm sf up md itshape bfseries scshape slshape upshape mdseries rmfamily "
    "sffamily ttfamily normalfont tiny scriptsize footnotesize small normalsize large Large "
    "LARGE huge Huge smc SMC SC relax protect noindent nobreak allowbreak null hfill hfil hss "
    "vfill smallskip medskip bigskip boldmath unboldmath displaystyle textstyle scriptstyle "
    "scriptscriptstyle frenchspacing nonfrenchspacing ignorespaces unskip sloppy centering "
    "raggedright raggedleft selectfont nocorr leavevmode strut mathstrut left right middle big "
    "Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr limits nolimits cal oldstyle "
    "sfcode xspace"
)
# Logos are shown by name; other names that read as one need no entry (see _logo_like).
_LOGOS = {
    "TeX": "TeX", "LaTeX": "LaTeX", "BibTeX": "BibTeX", "ConTeXt": "ConTeXt", "XeTeX": "XeTeX",
    "XeLaTeX": "XeLaTeX", "LuaTeX": "LuaTeX", "LuaLaTeX": "LuaLaTeX", "pdfTeX": "pdfTeX",
    "pdfLaTeX": "pdfLaTeX", "SliTeX": "SliTeX", "METAFONT": "METAFONT", "AMS": "AMS",
    "LaTeXe": "LaTeX2e", "MF": "METAFONT", "slMF": "METAFONT", "MP": "MetaPost",
    "MetaPost": "MetaPost", "METAPOST": "MetaPost", "BIBTeX": "BibTeX", "bibtex": "BibTeX",
    "AmS": "AMS", "AMSTeX": "AMS-TeX", "AmSTeX": "AMS-TeX", "AMSTEX": "AMS-TeX",
    "AmSLaTeX": "AMS-LaTeX", "AMSLaTeX": "AMS-LaTeX", "LAMSTeX": "LAMS-TeX",
    "CONTEXT": "ConTeXt", "eTeX": "e-TeX", "PS": "PostScript", "POSTSCRIPT": "PostScript",
    "TUB": "TUGboat", "TUGboat": "TUGboat", "tubissue": "TUGboat", "plain": "plain",
    "AllTeX": "(La)TeX", "MFbook": "METAFONTbook", "TeXLive": "TeX Live", "tug": "TUG",
    "uktug": "UK TUG", "TEXHAX": "TeXhax", "OMEGA": "Omega", "eOmega": "e-Omega",
    "bibtexcpp": "BibTeX++", "La": "La", "Xe": "Xe", "Bib": "Bib", "Xy": "Xy", "Xypic": "Xy-pic",
    "Tib": "Tib", "Java": "Java", "warmreader": "WARMreader", "dvitosvg": "dvitosvg",
    "curve": "curve", "MacOSX": "Mac OS X", "YandY": "Y&Y", "Thanh": "Hàn Thế Thành",
}  # fmt: skip
# Words written straight after a logo, which TeX joins to it: "\TeX nische Kom\"odie".
_LOGO_SUFFIX = re.compile(r"(?:nische|nica|hax|emplares|ing)\b")
# What follows these commands is a dimension, not text: "\kern-.05em", "\raise 0.5ex".
_DIMENSIONED = {"kern": "", "mkern": "", "raise": "", "lower": "", "hskip": " ", "vskip": " "}
_DIMENSION = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)\s*(?:em|ex|pt|pc|in|cm|mm|bp|dd|cc|sp|mu)?")
_ACCENT_NUMBER = re.compile(r"(?:'([0-7]+)|\"([0-9A-Fa-f]+)|(\d+))\s*")
_ORDINAL_SUFFIXES = {"1": "st", "2": "nd", "3": "rd"}


def _ordinal(number: str) -> str:
    if number.endswith(("11", "12", "13")):
        return number + "th"
    return number + _ORDINAL_SUFFIXES.get(number[-1:], "th")


def _double_struck(letter: str) -> str:
    for name in (f"DOUBLE-STRUCK CAPITAL {letter}", f"MATHEMATICAL DOUBLE-STRUCK CAPITAL {letter}"):
        try:
            return unicodedata.lookup(name)
        except KeyError:
            continue
    return letter


# Commands whose arguments are not all text. Each argument is "k" (its text is kept), "d" (it is
# dropped: a key, a colour, a language), "o" (an optional [argument]) or "v" (verbatim, as in a
# web address); the format or function makes the text of all of them.
_ARGUMENTS = {
    "href": ("vk", "{1}"),
    "url": ("v", "{0}"),
    "nolinkurl": ("v", "{0}"),
    "path": ("v", "{0}"),
    "cs": ("v", "\\{0}"),
    "macro": ("v", "\\{0}"),
    "foreignlanguage": ("dk", "{1}"),
    "selectlanguage": ("d", ""),
    "texorpdfstring": ("kd", "{0}"),
    "enquote": ("k", "“{0}”"),
    "mkbibquote": ("k", "“{0}”"),
    "nth": ("k", _ordinal),
    "sqrt": ("ok", lambda index, radicand: f"{index}√({radicand})"),
    "frac": ("kk", "{0}/{1}"),
    "dfrac": ("kk", "{0}/{1}"),
    "tfrac": ("kk", "{0}/{1}"),
    "nicefrac": ("kk", "{0}/{1}"),
    "mathbb": ("k", lambda text: _double_struck(text) if len(text) == 1 else text),
    "textcolor": ("odk", "{2}"),
    "colorbox": ("odk", "{2}"),
    "color": ("od", ""),
    "raisebox": ("dook", "{3}"),
    "hspace": ("d", " "),
    "vspace": ("d", " "),
    "label": ("d", ""),
    "begin": ("d", " "),
    "end": ("d", " "),
    # Sorting tricks ({\noopsort{a}}) exist only to order the bibliography.
    "noopsort": ("d", ""),
    "sortnoop": ("d", ""),
    "SortNoop": ("d", ""),
    "noop": ("d", ""),
}
# Commands known to take one text argument: a brace group after it is not theirs.
_ONE_ARGUMENT = _names(
    "textit emph textbf textsc textrm textsf texttt textup textsl textmd textnormal mbox hbox "
    "text mathrm mathit mathbf mathsf mathtt mathcal mathscr mathfrak uppercase MakeUppercase "
    "lowercase MakeLowercase booktitle acro pkg pgm file ensuremath textsuperscript "
    "textsubscript underline overline smash llap rlap hphantom vphantom phantom"
)
_ARGUMENTS.update((name, ("k", "{0}")) for name in _ONE_ARGUMENT)

_SPECIAL = re.compile(r"[\\{}$]")
# A starred command (\section*) reads like the plain one.
_CONTROL_WORD = re.compile(r"\\([a-zA-Z]+)\*?(\s*)")
_CLOSING_DOLLAR = re.compile(r"(?<!\\)\$")
_LIGATURES = re.compile(r"---|--|``|''|[`'~]")
# Control symbols that are not accents; any other (\&, \%, \$, \#, \_) is its own character.
_CONTROL_SYMBOLS = {
    "\\": " ", " ": " ", "\n": " ", "\t": " ", ",": " ", ";": " ", ":": " ", ">": " ",
    "-": "", "/": "", "@": "", "!": "", "*": "", "(": "", ")": "", "[": "", "]": "", "|": "‖",
}  # fmt: skip
# Deep nesting is read flat rather than recursing without end.
_MAX_DEPTH = 64
# Dashes, opening quotes and slashes join the next word, as TeX typesets them.
_GLUE_CHARACTERS = "–—“‘„‚«‹/-\\"
# Text with none of these is plain: only its whitespace is collapsed.
_LATEX_MARKERS = re.compile(r"[\\{}$~`]|--|''")


def _pylatexenc_symbols() -> dict[str, str]:
    """The argument-less macros pylatexenc knows as characters: letters, symbols, Greek."""
    parsing = latexwalker.get_default_latex_context_db()
    symbols = {}
    for spec in latex2text.get_default_latex_context_db().iter_macro_specs():
        name, text = spec.macroname, spec.simplify_repl
        if not (isinstance(text, str) and name.isalpha() and "%" not in text):
            continue
        parsed = parsing.get_macro_spec(name)
        if (parsed and parsed.args_parser.argspec) or name == "today":
            continue
        # Invisible characters (soft hyphen, joiners) are never meant to be stored.
        text = "".join(c for c in text if unicodedata.category(c) != "Cf")
        symbols[name] = " " if text.isspace() else text
    return symbols


def _words() -> tuple[dict[str, str], frozenset[str]]:
    """Every argument-less command with its text, and those after which TeX eats spaces."""
    words = _pylatexenc_symbols()
    words.update(_SYMBOLS)
    words.update(dict.fromkeys(_SPACES, " "))
    words.update(dict.fromkeys(_SWITCHES, ""))
    words.update(_LOGOS)
    # A letter belongs to its word ("Stra\ss e"), a dash or an opening quote to the next one.
    glued = {
        name
        for name, text in words.items()
        if len(text) == 1 and (text.isalpha() or text in _GLUE_CHARACTERS)
    }
    return words, frozenset(glued.union(_SWITCHES))


_WORDS, _GLUED = _words()


def _logo_like(name: str) -> bool:
    """An unknown name that reads as a logo or an acronym: \\VorTeX, \\CTAN, \\LyX."""
    return "TeX" in name or sum(char.isupper() for char in name) > 1


def _with_accent(base: str, mark: str) -> str | None:
    """``base`` with ``mark`` on its first letter, or None when it has no letter."""
    for index, char in enumerate(base):
        if not char.isspace():
            return base[:index] + _DOTLESS.get(char, char) + mark + base[index + 1 :]
    return None


class _Reader:
    """One pass over LaTeX source, writing the text it shows; every word outside a command's
    name is kept."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.at = 0
        self.depth = 0
        self.open_quotes = 0

    def text(self, *, group: bool = False, math: bool = False) -> str:
        """The text up to the end of the current group or math, or of the source."""
        source, parts = self.source, []
        while True:
            special = _SPECIAL.search(source, self.at)
            end = special.start() if special else len(source)
            if end > self.at:
                parts.append(self._plain(source[self.at : end], math))
            if special is None:
                self.at = end
                return "".join(parts)
            char, self.at = source[end], end + 1
            if char == "}":
                if group:
                    return "".join(parts)
                # An unbalanced closing brace is dropped.
            elif char == "$":
                if math:
                    return "".join(parts)
                parts.append(self._math())
            elif char == "{":
                parts.append(self._group(math))
            else:
                self.at = end
                parts.append(self._command(math))

    def _group(self, math: bool) -> str:
        if self.depth >= _MAX_DEPTH:
            return ""  # the brace is skipped and its content read as the surrounding text
        self.depth += 1
        text = self.text(group=True, math=math)
        self.depth -= 1
        return text

    def _math(self) -> str:
        if _CLOSING_DOLLAR.search(self.source, self.at) is None:
            return "$"  # a lone dollar sign is a price, not math
        return self.text(math=True).strip()

    def _plain(self, chunk: str, math: bool) -> str:
        if math:
            return chunk.replace("~", " ")
        return _LIGATURES.sub(self._ligature, chunk)

    def _ligature(self, match: re.Match) -> str:
        found = match.group()
        if found == "`":
            self.open_quotes += 1
            return "‘"
        if found == "'":
            # An apostrophe inside a word ("Author's") closes no quote.
            before = match.string[match.start() - 1 : match.start()]
            after = match.string[match.end() : match.end() + 1]
            if self.open_quotes and not (before.isalpha() and after.isalpha()):
                self.open_quotes -= 1
                return "’"
            return "'"
        return {"---": "—", "--": "–", "``": "“", "''": "”", "~": " "}[found]

    def _command(self, math: bool) -> str:
        word = _CONTROL_WORD.match(self.source, self.at)
        if word is None:
            return self._control_symbol()
        self.at = word.end()
        name, spaced = word.group(1), bool(word.group(2))
        if name in _ACCENTS:
            return self._accent(_ACCENTS[name], name, math)
        if name in _ARGUMENTS:
            return self._arguments(name, math)
        if name == "verb":
            return self._verbatim()
        if name == "accent":
            return self._numbered_accent(math)
        if name in _DIMENSIONED:
            dimension = _DIMENSION.match(self.source, self.at)
            self.at = dimension.end() if dimension else self.at
            return _DIMENSIONED[name]
        text = _WORDS.get(name)
        if text is None and _logo_like(name) and not self._has_argument():
            text = name
        if text is not None:
            return text + self._space_after(name, text, spaced, math)
        return self._unknown(spaced, math)

    def _space_after(self, name: str, text: str, spaced: bool, math: bool) -> str:
        """The space a word-like command keeps after it: TeX eats it, a reader wants it."""
        following = self.source[self.at : self.at + 1]
        if math and len(text) > 1 and text.isalpha() and (following.isalpha() or following == "\\"):
            return " "  # \log\log n
        if not spaced or name in _GLUED:
            return ""
        if text != " " and _LOGO_SUFFIX.match(self.source, self.at):
            return ""
        return " "

    def _has_argument(self) -> bool:
        return self.source.startswith("{", self.at) and not self.source.startswith("{}", self.at)

    def _unknown(self, spaced: bool, math: bool) -> str:
        """An unknown command shows nothing but its arguments, and never joins the words
        around it; arguments in a row are read as separate words."""
        arguments = []
        while self.source.startswith("{", self.at):
            self.at += 1
            arguments.append(self._group(math))
        if arguments:
            return " ".join(arguments)
        return " " if spaced else ""

    def _control_symbol(self) -> str:
        char = self.source[self.at + 1 : self.at + 2]
        self.at += 2
        if char in _ACCENTS:
            return self._accent(_ACCENTS[char], char, math=False)
        if char == "\\" and self.source.startswith("*", self.at):
            self.at += 1
        return _CONTROL_SYMBOLS.get(char, char)

    def _argument(self, math: bool) -> str:
        """The text of one argument: a group, a command or a single character."""
        source = self.source
        while self.at < len(source) and source[self.at].isspace():
            self.at += 1
        char = source[self.at : self.at + 1]
        if char == "{":
            self.at += 1
            return self._group(math)
        if char == "\\":
            # A command as the argument of a command (\\emph\\emph…) nests as a group does.
            if self.depth >= _MAX_DEPTH:
                return ""
            self.depth += 1
            text = self._command(math)
            self.depth -= 1
            return text
        if char in ("", "}", "$"):
            return ""
        self.at += 1
        return self._plain(char, math)

    def _accent(self, mark: str, name: str, math: bool) -> str:
        base = self._argument(math)
        accented = _with_accent(base, mark)
        if accented is None:
            return _BARE_ACCENTS.get(name, "") + base
        return accented

    def _numbered_accent(self, math: bool) -> str:
        number = _ACCENT_NUMBER.match(self.source, self.at)
        if number is None:
            return ""
        self.at = number.end()
        octal, hexadecimal, decimal = number.groups()
        code = int(octal, 8) if octal else int(hexadecimal, 16) if hexadecimal else int(decimal)
        base = self._argument(math)
        return _with_accent(base, _NUMBERED_ACCENTS.get(code, "")) or base

    def _arguments(self, name: str, math: bool) -> str:
        kinds, render = _ARGUMENTS[name]
        values = []
        for kind in kinds:
            if kind == "o":
                values.append(self._optional())
            elif kind == "v":
                values.append(self._verbatim())
            else:
                value = self._argument(math)
                values.append(value if kind == "k" else "")
        return render.format(*values) if isinstance(render, str) else render(*values)

    def _optional(self) -> str:
        if not self.source.startswith("[", self.at):
            return ""
        end = self.source.find("]", self.at)
        if end < 0:
            return ""
        text, self.at = self.source[self.at + 1 : end], end + 1
        return text

    def _verbatim(self) -> str:
        """A web address or code, as written: braced, or between two equal characters."""
        source = self.source
        while self.at < len(source) and source[self.at].isspace():
            self.at += 1
        opening = source[self.at : self.at + 1]
        if opening == "{":
            return _UNESCAPE.sub(r"\1", self._balanced())
        if not opening or opening.isalpha():
            return ""
        end = source.find(opening, self.at + 1)
        end = len(source) if end < 0 else end
        text, self.at = source[self.at + 1 : end], end + 1
        return text

    def _balanced(self) -> str:
        source, depth, start = self.source, 0, self.at + 1
        index = start
        while index < len(source):
            char = source[index]
            if char == "\\":
                index += 1
            elif char == "{":
                depth += 1
            elif char == "}":
                if depth == 0:
                    break
                depth -= 1
            index += 1
        self.at = index + 1
        return source[start:index]


# In a verbatim argument only an escaped special character stands for itself.
_UNESCAPE = re.compile(r"\\([%&$#_{}~])")


def latex_to_text(text: str) -> str:
    """Plain Unicode text for LaTeX source: accents decoded, logos named, emphasis and braces
    dropped, math kept readable, whitespace collapsed, no word lost.

    "Pi{\\'o}ro" -> "Pióro", "{\\TeX} and Typesetting\\emdash An Author's View" ->
    "TeX and Typesetting—An Author's View", "$\\alpha$-stable" -> "α-stable".
    """
    # Names and venues repeat across a bibliography: remember the short ones.
    if len(text) <= 200:
        return _short_latex_to_text(text)
    return _latex_to_text(text)


@lru_cache(maxsize=16384)
def _short_latex_to_text(text: str) -> str:
    return _latex_to_text(text)


def _latex_to_text(text: str) -> str:
    # A soft hyphen only marks where a word may break: it is never kept.
    text = text.replace("\u00ad", "")
    if _LATEX_MARKERS.search(text):
        text = _Reader(text).text()
    # Commands may spell a control character (\\char1): none is ever meant.
    text = without_control_characters(text)
    return unicodedata.normalize("NFC", " ".join(text.split()))
