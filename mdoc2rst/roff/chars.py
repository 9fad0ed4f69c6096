"""Special character names and predefined strings of mandoc 1.14.6.

:data:`CHARS` maps every glyph name that mandoc knows in ``\\(xx``, ``\\[name]``,
``\\C'name'`` and one-character escapes (such as ``\\-`` or ``\\~``) to the text that
mandoc writes for it in UTF-8 output mode, that is the Unicode code point of the table,
never the ASCII fallback.  :data:`PREDEFINED_STRINGS` holds the roff strings that mandoc
defines before reading a page (``\\*(Lq`` and the like) as unexpanded roff source.
"""

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = ["CHARS", "PREDEFINED_STRINGS", "lookup"]

# Reflects the lines[] table of mandoc 1.14.6 chars.c (name -> Unicode code point as text).
CHARS: Final[Mapping[str, str]] = MappingProxyType(
    {
        # Spacing.
        " ": "\u00a0",  # U+00A0 NO-BREAK SPACE
        "~": "\u00a0",  # U+00A0 NO-BREAK SPACE
        "0": "\u00a0",  # U+00A0 NO-BREAK SPACE
        ":": "",  # code point 0: mandoc prints nothing in UTF-8 mode
        # Lines.
        "ba": "|",
        "br": "\u2502",  # │ U+2502
        "ul": "_",
        "_": "_",
        "ru": "_",
        "rn": "\u203e",  # ‾ U+203E
        "bb": "\u00a6",  # ¦ U+00A6
        "sl": "/",
        "rs": "\\",
        # Text markers.
        "ci": "\u25cb",  # ○ U+25CB
        "bu": "\u2022",  # • U+2022
        "dd": "\u2021",  # ‡ U+2021
        "dg": "\u2020",  # † U+2020
        "lz": "\u25ca",  # ◊ U+25CA
        "sq": "\u25a1",  # □ U+25A1
        "ps": "\u00b6",  # ¶ U+00B6
        "sc": "\u00a7",  # § U+00A7
        "lh": "\u261c",  # ☜ U+261C
        "rh": "\u261e",  # ☞ U+261E
        "at": "@",
        "sh": "#",
        "CR": "\u21b5",  # ↵ U+21B5
        "OK": "\u2713",  # ✓ U+2713
        "CL": "\u2663",  # ♣ U+2663
        "SP": "\u2660",  # ♠ U+2660
        "HE": "\u2665",  # ♥ U+2665
        "DI": "\u2666",  # ♦ U+2666
        # Legal symbols.
        "co": "\u00a9",  # © U+00A9
        "rg": "\u00ae",  # ® U+00AE
        "tm": "\u2122",  # ™ U+2122
        # Punctuation.
        "em": "\u2014",  # — U+2014
        "en": "\u2013",  # – U+2013
        "hy": "\u2010",  # ‐ U+2010
        "e": "\\",
        ".": ".",
        "r!": "\u00a1",  # ¡ U+00A1
        "r?": "\u00bf",  # ¿ U+00BF
        # Quotes.
        "Bq": "\u201e",  # „ U+201E
        "bq": "\u201a",  # ‚ U+201A
        "lq": "\u201c",  # “ U+201C
        "rq": "\u201d",  # ” U+201D
        "Lq": "\u201c",  # “ U+201C
        "Rq": "\u201d",  # ” U+201D
        "oq": "\u2018",  # ‘ U+2018
        "cq": "\u2019",  # ’ U+2019
        "aq": "'",
        "dq": '"',
        "Fo": "\u00ab",  # « U+00AB
        "Fc": "\u00bb",  # » U+00BB
        "fo": "\u2039",  # ‹ U+2039
        "fc": "\u203a",  # › U+203A
        # Brackets.
        "lB": "[",
        "rB": "]",
        "lC": "{",
        "rC": "}",
        "la": "\u27e8",  # ⟨ U+27E8
        "ra": "\u27e9",  # ⟩ U+27E9
        "bv": "\u23aa",  # ⎪ U+23AA
        "braceex": "\u23aa",  # ⎪ U+23AA
        "bracketlefttp": "\u23a1",  # ⎡ U+23A1
        "bracketleftbt": "\u23a3",  # ⎣ U+23A3
        "bracketleftex": "\u23a2",  # ⎢ U+23A2
        "bracketrighttp": "\u23a4",  # ⎤ U+23A4
        "bracketrightbt": "\u23a6",  # ⎦ U+23A6
        "bracketrightex": "\u23a5",  # ⎥ U+23A5
        "lt": "\u23a7",  # ⎧ U+23A7
        "bracelefttp": "\u23a7",  # ⎧ U+23A7
        "lk": "\u23a8",  # ⎨ U+23A8
        "braceleftmid": "\u23a8",  # ⎨ U+23A8
        "lb": "\u23a9",  # ⎩ U+23A9
        "braceleftbt": "\u23a9",  # ⎩ U+23A9
        "braceleftex": "\u23aa",  # ⎪ U+23AA
        "rt": "\u23ab",  # ⎫ U+23AB
        "bracerighttp": "\u23ab",  # ⎫ U+23AB
        "rk": "\u23ac",  # ⎬ U+23AC
        "bracerightmid": "\u23ac",  # ⎬ U+23AC
        "rb": "\u23ad",  # ⎭ U+23AD
        "bracerightbt": "\u23ad",  # ⎭ U+23AD
        "bracerightex": "\u23aa",  # ⎪ U+23AA
        "parenlefttp": "\u239b",  # ⎛ U+239B
        "parenleftbt": "\u239d",  # ⎝ U+239D
        "parenleftex": "\u239c",  # ⎜ U+239C
        "parenrighttp": "\u239e",  # ⎞ U+239E
        "parenrightbt": "\u23a0",  # ⎠ U+23A0
        "parenrightex": "\u239f",  # ⎟ U+239F
        # Arrows and lines.
        "<-": "\u2190",  # ← U+2190
        "->": "\u2192",  # → U+2192
        "<>": "\u2194",  # ↔ U+2194
        "da": "\u2193",  # ↓ U+2193
        "ua": "\u2191",  # ↑ U+2191
        "va": "\u2195",  # ↕ U+2195
        "lA": "\u21d0",  # ⇐ U+21D0
        "rA": "\u21d2",  # ⇒ U+21D2
        "hA": "\u21d4",  # ⇔ U+21D4
        "uA": "\u21d1",  # ⇑ U+21D1
        "dA": "\u21d3",  # ⇓ U+21D3
        "vA": "\u21d5",  # ⇕ U+21D5
        "an": "\u23af",  # ⎯ U+23AF
        # Logic.
        "AN": "\u2227",  # ∧ U+2227
        "OR": "\u2228",  # ∨ U+2228
        "no": "\u00ac",  # ¬ U+00AC
        "tno": "\u00ac",  # ¬ U+00AC
        "te": "\u2203",  # ∃ U+2203
        "fa": "\u2200",  # ∀ U+2200
        "st": "\u220b",  # ∋ U+220B
        "tf": "\u2234",  # ∴ U+2234
        "3d": "\u2234",  # ∴ U+2234
        "or": "|",
        # Mathematicals.
        "pl": "+",
        "mi": "\u2212",  # − U+2212
        "-": "-",
        "-+": "\u2213",  # ∓ U+2213
        "+-": "\u00b1",  # ± U+00B1
        "t+-": "\u00b1",  # ± U+00B1
        "pc": "\u00b7",  # · U+00B7
        "md": "\u22c5",  # ⋅ U+22C5
        "mu": "\u00d7",  # × U+00D7
        "tmu": "\u00d7",  # × U+00D7
        "c*": "\u2297",  # ⊗ U+2297
        "c+": "\u2295",  # ⊕ U+2295
        "di": "\u00f7",  # ÷ U+00F7
        "tdi": "\u00f7",  # ÷ U+00F7
        "f/": "\u2044",  # ⁄ U+2044
        "**": "\u2217",  # ∗ U+2217
        "<=": "\u2264",  # ≤ U+2264
        ">=": "\u2265",  # ≥ U+2265
        "<<": "\u226a",  # ≪ U+226A
        ">>": "\u226b",  # ≫ U+226B
        "eq": "=",
        "!=": "\u2260",  # ≠ U+2260
        "==": "\u2261",  # ≡ U+2261
        "ne": "\u2262",  # ≢ U+2262
        "ap": "\u223c",  # ∼ U+223C
        "|=": "\u2243",  # ≃ U+2243
        "=~": "\u2245",  # ≅ U+2245
        "~~": "\u2248",  # ≈ U+2248
        "~=": "\u2248",  # ≈ U+2248
        "pt": "\u221d",  # ∝ U+221D
        "es": "\u2205",  # ∅ U+2205
        "mo": "\u2208",  # ∈ U+2208
        "nm": "\u2209",  # ∉ U+2209
        "sb": "\u2282",  # ⊂ U+2282
        "nb": "\u2284",  # ⊄ U+2284
        "sp": "\u2283",  # ⊃ U+2283
        "nc": "\u2285",  # ⊅ U+2285
        "ib": "\u2286",  # ⊆ U+2286
        "ip": "\u2287",  # ⊇ U+2287
        "ca": "\u2229",  # ∩ U+2229
        "cu": "\u222a",  # ∪ U+222A
        "/_": "\u2220",  # ∠ U+2220
        "pp": "\u22a5",  # ⊥ U+22A5
        "is": "\u222b",  # ∫ U+222B
        "integral": "\u222b",  # ∫ U+222B
        "sum": "\u2211",  # ∑ U+2211
        "product": "\u220f",  # ∏ U+220F
        "coproduct": "\u2210",  # ∐ U+2210
        "gr": "\u2207",  # ∇ U+2207
        "sr": "\u221a",  # √ U+221A
        "sqrt": "\u221a",  # √ U+221A
        "lc": "\u2308",  # ⌈ U+2308
        "rc": "\u2309",  # ⌉ U+2309
        "lf": "\u230a",  # ⌊ U+230A
        "rf": "\u230b",  # ⌋ U+230B
        "if": "\u221e",  # ∞ U+221E
        "Ah": "\u2135",  # ℵ U+2135
        "Im": "\u2111",  # ℑ U+2111
        "Re": "\u211c",  # ℜ U+211C
        "wp": "\u2118",  # ℘ U+2118
        "pd": "\u2202",  # ∂ U+2202
        "-h": "\u210f",  # ℏ U+210F
        "hbar": "\u210f",  # ℏ U+210F
        "12": "\u00bd",  # ½ U+00BD
        "14": "\u00bc",  # ¼ U+00BC
        "34": "\u00be",  # ¾ U+00BE
        "18": "\u215b",  # ⅛ U+215B
        "38": "\u215c",  # ⅜ U+215C
        "58": "\u215d",  # ⅝ U+215D
        "78": "\u215e",  # ⅞ U+215E
        "S1": "\u00b9",  # ¹ U+00B9
        "S2": "\u00b2",  # ² U+00B2
        "S3": "\u00b3",  # ³ U+00B3
        # Ligatures.
        "ff": "\ufb00",  # ﬀ U+FB00
        "fi": "\ufb01",  # ﬁ U+FB01
        "fl": "\ufb02",  # ﬂ U+FB02
        "Fi": "\ufb03",  # ﬃ U+FB03
        "Fl": "\ufb04",  # ﬄ U+FB04
        "AE": "\u00c6",  # Æ U+00C6
        "ae": "\u00e6",  # æ U+00E6
        "OE": "\u0152",  # Œ U+0152
        "oe": "\u0153",  # œ U+0153
        "ss": "\u00df",  # ß U+00DF
        "IJ": "\u0132",  # Ĳ U+0132
        "ij": "\u0133",  # ĳ U+0133
        # Accents.
        'a"': "\u02dd",  # ˝ U+02DD
        "a-": "\u00af",  # ¯ U+00AF
        "a.": "\u02d9",  # ˙ U+02D9
        "a^": "^",
        "aa": "\u00b4",  # ´ U+00B4
        "'": "\u00b4",  # ´ U+00B4
        "ga": "`",
        "`": "`",
        "ab": "\u02d8",  # ˘ U+02D8
        "ac": "\u00b8",  # ¸ U+00B8
        "ad": "\u00a8",  # ¨ U+00A8
        "ah": "\u02c7",  # ˇ U+02C7
        "ao": "\u02da",  # ˚ U+02DA
        "a~": "~",
        "ho": "\u02db",  # ˛ U+02DB
        "ha": "^",
        "ti": "~",
        "u02DC": "\u02dc",  # ˜ U+02DC
        # Accented letters.
        "'A": "\u00c1",  # Á U+00C1
        "'E": "\u00c9",  # É U+00C9
        "'I": "\u00cd",  # Í U+00CD
        "'O": "\u00d3",  # Ó U+00D3
        "'U": "\u00da",  # Ú U+00DA
        "'Y": "\u00dd",  # Ý U+00DD
        "'a": "\u00e1",  # á U+00E1
        "'e": "\u00e9",  # é U+00E9
        "'i": "\u00ed",  # í U+00ED
        "'o": "\u00f3",  # ó U+00F3
        "'u": "\u00fa",  # ú U+00FA
        "'y": "\u00fd",  # ý U+00FD
        "`A": "\u00c0",  # À U+00C0
        "`E": "\u00c8",  # È U+00C8
        "`I": "\u00cc",  # Ì U+00CC
        "`O": "\u00d2",  # Ò U+00D2
        "`U": "\u00d9",  # Ù U+00D9
        "`a": "\u00e0",  # à U+00E0
        "`e": "\u00e8",  # è U+00E8
        "`i": "\u00ec",  # ì U+00EC
        "`o": "\u00f2",  # ò U+00F2
        "`u": "\u00f9",  # ù U+00F9
        "~A": "\u00c3",  # Ã U+00C3
        "~N": "\u00d1",  # Ñ U+00D1
        "~O": "\u00d5",  # Õ U+00D5
        "~a": "\u00e3",  # ã U+00E3
        "~n": "\u00f1",  # ñ U+00F1
        "~o": "\u00f5",  # õ U+00F5
        ":A": "\u00c4",  # Ä U+00C4
        ":E": "\u00cb",  # Ë U+00CB
        ":I": "\u00cf",  # Ï U+00CF
        ":O": "\u00d6",  # Ö U+00D6
        ":U": "\u00dc",  # Ü U+00DC
        ":a": "\u00e4",  # ä U+00E4
        ":e": "\u00eb",  # ë U+00EB
        ":i": "\u00ef",  # ï U+00EF
        ":o": "\u00f6",  # ö U+00F6
        ":u": "\u00fc",  # ü U+00FC
        ":y": "\u00ff",  # ÿ U+00FF
        "^A": "\u00c2",  # Â U+00C2
        "^E": "\u00ca",  # Ê U+00CA
        "^I": "\u00ce",  # Î U+00CE
        "^O": "\u00d4",  # Ô U+00D4
        "^U": "\u00db",  # Û U+00DB
        "^a": "\u00e2",  # â U+00E2
        "^e": "\u00ea",  # ê U+00EA
        "^i": "\u00ee",  # î U+00EE
        "^o": "\u00f4",  # ô U+00F4
        "^u": "\u00fb",  # û U+00FB
        ",C": "\u00c7",  # Ç U+00C7
        ",c": "\u00e7",  # ç U+00E7
        "/L": "\u0141",  # Ł U+0141
        "/l": "\u0142",  # ł U+0142
        "/O": "\u00d8",  # Ø U+00D8
        "/o": "\u00f8",  # ø U+00F8
        "oA": "\u00c5",  # Å U+00C5
        "oa": "\u00e5",  # å U+00E5
        # Special letters.
        "-D": "\u00d0",  # Ð U+00D0
        "Sd": "\u00f0",  # ð U+00F0
        "TP": "\u00de",  # Þ U+00DE
        "Tp": "\u00fe",  # þ U+00FE
        ".i": "\u0131",  # ı U+0131
        ".j": "\u0237",  # ȷ U+0237
        # Currency.
        "Do": "$",
        "ct": "\u00a2",  # ¢ U+00A2
        "Eu": "\u20ac",  # € U+20AC
        "eu": "\u20ac",  # € U+20AC
        "Ye": "\u00a5",  # ¥ U+00A5
        "Po": "\u00a3",  # £ U+00A3
        "Cs": "\u00a4",  # ¤ U+00A4
        "Fn": "\u0192",  # ƒ U+0192
        # Units.
        "de": "\u00b0",  # ° U+00B0
        "%0": "\u2030",  # ‰ U+2030
        "fm": "\u2032",  # ′ U+2032
        "sd": "\u2033",  # ″ U+2033
        "mc": "\u00b5",  # µ U+00B5
        "Of": "\u00aa",  # ª U+00AA
        "Om": "\u00ba",  # º U+00BA
        # Greek characters.
        "*A": "\u0391",  # Α U+0391
        "*B": "\u0392",  # Β U+0392
        "*G": "\u0393",  # Γ U+0393
        "*D": "\u0394",  # Δ U+0394
        "*E": "\u0395",  # Ε U+0395
        "*Z": "\u0396",  # Ζ U+0396
        "*Y": "\u0397",  # Η U+0397
        "*H": "\u0398",  # Θ U+0398
        "*I": "\u0399",  # Ι U+0399
        "*K": "\u039a",  # Κ U+039A
        "*L": "\u039b",  # Λ U+039B
        "*M": "\u039c",  # Μ U+039C
        "*N": "\u039d",  # Ν U+039D
        "*C": "\u039e",  # Ξ U+039E
        "*O": "\u039f",  # Ο U+039F
        "*P": "\u03a0",  # Π U+03A0
        "*R": "\u03a1",  # Ρ U+03A1
        "*S": "\u03a3",  # Σ U+03A3
        "*T": "\u03a4",  # Τ U+03A4
        "*U": "\u03a5",  # Υ U+03A5
        "*F": "\u03a6",  # Φ U+03A6
        "*X": "\u03a7",  # Χ U+03A7
        "*Q": "\u03a8",  # Ψ U+03A8
        "*W": "\u03a9",  # Ω U+03A9
        "*a": "\u03b1",  # α U+03B1
        "*b": "\u03b2",  # β U+03B2
        "*g": "\u03b3",  # γ U+03B3
        "*d": "\u03b4",  # δ U+03B4
        "*e": "\u03b5",  # ε U+03B5
        "*z": "\u03b6",  # ζ U+03B6
        "*y": "\u03b7",  # η U+03B7
        "*h": "\u03b8",  # θ U+03B8
        "*i": "\u03b9",  # ι U+03B9
        "*k": "\u03ba",  # κ U+03BA
        "*l": "\u03bb",  # λ U+03BB
        "*m": "\u03bc",  # μ U+03BC
        "*n": "\u03bd",  # ν U+03BD
        "*c": "\u03be",  # ξ U+03BE
        "*o": "\u03bf",  # ο U+03BF
        "*p": "\u03c0",  # π U+03C0
        "*r": "\u03c1",  # ρ U+03C1
        "*s": "\u03c3",  # σ U+03C3
        "*t": "\u03c4",  # τ U+03C4
        "*u": "\u03c5",  # υ U+03C5
        "*f": "\u03d5",  # ϕ U+03D5
        "*x": "\u03c7",  # χ U+03C7
        "*q": "\u03c8",  # ψ U+03C8
        "*w": "\u03c9",  # ω U+03C9
        "+h": "\u03d1",  # ϑ U+03D1
        "+f": "\u03c6",  # φ U+03C6
        "+p": "\u03d6",  # ϖ U+03D6
        "+e": "\u03f5",  # ϵ U+03F5
        "ts": "\u03c2",  # ς U+03C2
    }
)


def lookup(name: str) -> str | None:
    """Return the UTF-8 output text of the special character ``name``, or None if unknown.

    The lookup is exact and case sensitive, like mandoc's ``mchars_spec2cp()``.
    An empty string means that the name is known but prints nothing (``\\:``).
    """
    return CHARS.get(name)


# Reflects mandoc 1.14.6 predefs.in (string name -> replacement roff source, C escaping undone).
PREDEFINED_STRINGS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "Am": "&",
        "Ba": "\\fR|\\fP",
        "Ge": "\\(>=",
        "Gt": ">",
        "If": "infinity",
        "Le": "\\(<=",
        "Lq": "\\(lq",
        "Lt": "<",
        "Na": "NaN",
        "Ne": "\\(!=",
        "Pi": "pi",
        "Pm": "\\(+-",
        "Rq": "\\(rq",
        "left-bracket": "[",
        "left-parenthesis": "(",
        "lp": "(",
        "left-singlequote": "\\(oq",
        "q": "\\(dq",
        "quote-left": "\\(oq",
        "quote-right": "\\(cq",
        "R": "\\(rg",
        "right-bracket": "]",
        "right-parenthesis": ")",
        "rp": ")",
        "right-singlequote": "\\(cq",
        "Tm": "(Tm)",
        "Px": "POSIX",
        "Ai": "ANSI",
        "'": "\\'",
        "aa": "\\(aa",
        "ga": "\\(ga",
        "`": "\\`",
        "lq": "\\(lq",
        "rq": "\\(rq",
        "ua": "\\(ua",
        "va": "\\(va",
        "<=": "\\(<=",
        ">=": "\\(>=",
    }
)
