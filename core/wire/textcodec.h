#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

// Text on the wire: UTF-8, or GBK for peers (FeiQ, older clients) that send it without UTF8OPT.
enum class TextEncoding { Utf8, Gbk };

namespace textcodec {

// UTF8OPT means UTF-8. Otherwise, from a peer known to send GBK the text is GB18030 (a superset of GBK); from
// anyone else valid UTF-8 is UTF-8 and anything else GB18030. (Short GBK text can be valid UTF-8 by chance:
// 一 is D2 BB in GBK and U+04BB in UTF-8; marking a contact GBK settles it.)
QString decode(const QByteArray& bytes, bool flaggedUtf8 = false, TextEncoding expected = TextEncoding::Utf8);
QByteArray encode(const QString& text, TextEncoding encoding);
bool isValidUtf8(const QByteArray& bytes);
// Encodes text in pieces of at most maxBytes each, never cutting a character in two.
QList<QByteArray> split(const QString& text, TextEncoding encoding, qsizetype maxBytes);

// Received text made safe for a terminal or a label: control characters become visible (^[ for ESC), C1 controls
// and bidirectional overrides become \uXXXX, so text from the network can neither drive a terminal nor make a line
// read differently from what it is. Newlines are indented as continuation lines; tabs stay.
QString printable(const QString& text);

QString encodingName(TextEncoding encoding);
std::optional<TextEncoding> encodingFromName(const QString& name);

} // namespace textcodec
