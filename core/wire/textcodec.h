#pragma once

#include <QByteArray>
#include <QList>
#include <QLocale>
#include <QString>

#include <optional>

// Text on the wire. Utf8, Gbk (FeiQ and Chinese clients without UTF-8) and Cp932 (Shift-JIS as Windows extends it:
// Japanese IP Messenger clients without UTF-8) are encodings; Auto is a contact's setting that lets the engine choose
// per peer from what the peer announced (see README, "Text encodings"). Where bytes are made, Auto is UTF-8.
enum class TextEncoding { Utf8, Gbk, Cp932, Auto };

namespace textcodec {

// Characters kept of any name-like field a peer sends (nickname, group, user and host names, version, absence text),
// as many as --name allows: a stranger's 60 000-byte nickname costs 64 characters wherever it is kept or shown.
inline constexpr qsizetype MaxFieldChars = 64;
// Bytes kept of such a field before it is decoded: 64 characters in any of the encodings (UTF-8 needs up to 4 bytes).
inline constexpr qsizetype MaxFieldBytes = 4 * MaxFieldChars;

// UTF8OPT means UTF-8. Otherwise, from a peer known to send GBK or CP932 the text is that (GBK decoded as GB18030, its
// superset); from anyone else (expected Utf8 or Auto) valid UTF-8 is UTF-8 and anything else is `legacy`. The same
// bytes are often valid in several encodings (92 86 95 b6 is 中文 in CP932 and 拞暥 in GBK; D2 BB is 一 in GBK and
// U+04BB in UTF-8), so only the peer can settle it. Bytes that are invalid in the chosen encoding become U+FFFD.
QString decode(const QByteArray& bytes, bool flaggedUtf8 = false, TextEncoding expected = TextEncoding::Utf8,
               TextEncoding legacy = TextEncoding::Gbk);
// Auto and Utf8 give UTF-8; Gbk gives GB18030 (byte-identical to GBK for what GBK has, and it has every code point);
// Cp932 gives Windows-31J, with '?' for a character that CP932 lacks (鸽, emoji).
QByteArray encode(const QString& text, TextEncoding encoding);
bool isValidUtf8(const QByteArray& bytes);
// Encodes text in pieces of at most maxBytes each, never cutting a character in two.
QList<QByteArray> split(const QString& text, TextEncoding encoding, qsizetype maxBytes);
// At most maxChars UTF-16 units of text, never half of a surrogate pair: what is kept of a field a peer sent.
QString bounded(const QString& text, qsizetype maxChars = MaxFieldChars);

// Received text made safe for a terminal or a label: control characters become visible (^[ for ESC), C1 controls
// and bidirectional overrides become \uXXXX, so text from the network can neither drive a terminal nor make a line
// read differently from what it is. Newlines are indented as continuation lines; tabs stay.
QString printable(const QString& text);

// "utf-8", "gbk", "cp932", "auto": the contacts file's words.
QString encodingName(TextEncoding encoding);
// Also accepts utf8, gb2312, gb18030, shift_jis, sjis, windows-31j, in any case.
std::optional<TextEncoding> encodingFromName(const QString& name);
// The encoding a peer without UTF-8 most likely uses, by the user's locale: CP932 for Japanese, GBK otherwise (for
// Chinese, and elsewhere because FeiQ is the most widespread IPMsg client that has no UTF-8).
TextEncoding legacyEncodingFor(const QLocale& locale);

} // namespace textcodec
