#pragma once

#include <QByteArray>
#include <QString>

// Text on the wire: UTF-8, or GBK for peers (FeiQ, older clients) that send it without UTF8OPT.
enum class TextEncoding { Utf8, Gbk };

namespace textcodec {

// UTF8OPT means UTF-8; otherwise valid UTF-8 is UTF-8, and anything else is read as GB18030 (a superset of GBK).
QString decode(const QByteArray& bytes, bool flaggedUtf8 = false);
QByteArray encode(const QString& text, TextEncoding encoding);
bool isValidUtf8(const QByteArray& bytes);

QString encodingName(TextEncoding encoding);
std::optional<TextEncoding> encodingFromName(const QString& name);

} // namespace textcodec
